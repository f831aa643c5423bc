# SPDX-License-Identifier: EUPL-1.2
"""`make demo`: start the whole system on the embedded default and say where to look."""


def main() -> None:
    print("open VUM demo")


if __name__ == "__main__":
    main()
