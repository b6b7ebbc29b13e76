"""Wegweiser Sachsen: who does what, where, in asylum and refugee support in Saxony."""
