"""Widgets of the personae app."""
