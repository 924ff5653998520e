"""Signal processing in torch: the project's STFT."""
