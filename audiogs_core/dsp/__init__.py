"""Signal processing in torch: ``stft``, the project's STFT (DESIGN.md §2)."""
