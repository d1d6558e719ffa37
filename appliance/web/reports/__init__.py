"""Reports and the wall screen: figures per day or week, charts, the wallboard."""
