"""The box's own buttons and LEDs through gpiozero: status lights and desk button + LED pairs."""
