from .cli import main
from .cli_exit import run

run(main)
