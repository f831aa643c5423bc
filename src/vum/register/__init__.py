# SPDX-License-Identifier: EUPL-1.2
"""The occupation register: built-in data, official-list loaders, free-text search, related occupations."""
