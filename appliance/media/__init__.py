"""The call's audio beside the asyncio loop: frames, prompts, hold music, keys, voicemail, bridges.

The core decides what a caller hears; this package plays it, records,
detects keys and reports back. Audio runs in threads with bounded buffers
(media_engine.py); the loop only sends commands and receives events.
"""
