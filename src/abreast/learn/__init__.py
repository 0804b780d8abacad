"""Learn: what this reader cares about, from their feedback; explainable and undoable."""
