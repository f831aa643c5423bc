# SPDX-License-Identifier: EUPL-1.2
"""One Alembic script a revision (a package only so that an installed ``vum`` ships them)."""
