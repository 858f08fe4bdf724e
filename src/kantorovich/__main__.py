"""``python -m kantorovich``: the command line, as the ``kantorovich`` script runs it."""

from kantorovich.cli import main

if __name__ == "__main__":
    main()
