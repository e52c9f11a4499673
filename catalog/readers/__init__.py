"""Readers: one package per input kind, each turning bytes into file-level issues and products of the one model."""
