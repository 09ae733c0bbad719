"""你点我检: citizens propose and vote for what gets sampled; officials close the loop."""
