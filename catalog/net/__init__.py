"""Network edges: the guarded HTTP fetcher, image downloads, the taxonomy file's download."""
