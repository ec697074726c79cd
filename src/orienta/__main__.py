"""`python -m orienta` is the same as the `orienta` command."""

from orienta.cli import main

if __name__ == "__main__":
    main()
