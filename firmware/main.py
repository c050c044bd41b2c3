# Blinkshot main.py: start the controller. Kept tiny so a broken app never bricks the board:
# `except Exception` (never bare) lets Ctrl-C through to the REPL, and there is no reset here,
# so an error cannot become a boot loop. Hold the stick button at boot to skip the app.
try:
    from blinkshot import app

    controller = app.start()  # None: escape hatch (stick button held at boot)
    app.unload("app")  # needed only to start: its code leaves the heap
    del app
    if controller is not None:
        controller.run()
except Exception as e:
    import sys

    print("blinkshot: stopped by an error; the REPL is free. Reset the board to start again.")
    sys.print_exception(e)
