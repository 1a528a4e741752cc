"""fetcher."""
