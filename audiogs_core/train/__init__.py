"""Training Audio Gaussians on the train views of a capture."""
