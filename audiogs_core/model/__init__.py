"""The AudioGS representation: Audio Gaussians and their differentiable renderer."""
