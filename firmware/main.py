# Blinkshot main.py: start the controller. Kept tiny so a broken app never bricks the board:
# `except Exception` (never bare) lets Ctrl-C through to the REPL, and there is no reset here,
# so an error cannot become a boot loop. Hold the stick button at boot to skip the app.
try:
    from blinkshot import app

    made = app.start()  # (class, arguments); None: escape hatch (stick held at boot)
    app.unload("app")  # needed only to start: its code leaves the heap before the App is built
    del app
    if made is not None:
        made[0](*made[1]).run()
except Exception as e:
    import sys

    print("blinkshot: stopped by an error; the REPL is free. Reset the board to start again.")
    sys.print_exception(e)
