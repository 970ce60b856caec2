"""Screens of the personae app."""
