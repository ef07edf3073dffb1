#!/usr/bin/python3
"""A real RTSP test camera for AIOT's camera tests and bench: GStreamer's RTSP server (Debian
gir1.2-gst-rtsp-server-1.0 + python3-gi) serving a live `videotestsrc` with the wall clock burned
in, on 127.0.0.1.

    rtsp_test_camera.py PORT [--codec h264|h265] [--size 1280x720] [--fps 25]
                             [--mounts cam,cam2,...] [--auth user:password]

Every mount shares ONE encoder (a shared media factory mounted at several paths), so N cameras of
the bench cost one encode. `--codec h265` serves H.265 (a codec the WebRTC relay does not take);
`--auth` answers 401 without those credentials. Prints "ready" once listening; runs until killed.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port")
    parser.add_argument("--codec", default="h264", choices=["h264", "h265"])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", default="25")
    parser.add_argument("--mounts", default="cam")
    parser.add_argument("--auth", default=None)
    args = parser.parse_args()
    Gst.init(None)
    width, height = args.size.split("x")
    raw = (
        f"videotestsrc is-live=true ! video/x-raw,width={width},height={height},framerate={args.fps}/1 ! "
        'clockoverlay time-format="%H:%M:%S" font-desc="Sans 36" ! '
    )
    if args.codec == "h264":
        encode = (
            f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={int(args.fps) * 2} ! "
            "video/x-h264,profile=constrained-baseline ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1"
        )
    else:
        encode = (
            f"x265enc tune=zerolatency speed-preset=ultrafast key-int-max={int(args.fps) * 2} ! "
            "h265parse ! rtph265pay name=pay0 pt=96 config-interval=1"
        )
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f"( {raw}{encode} )")
    factory.set_shared(True)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(args.port)
    if args.auth:
        user, password = args.auth.split(":", 1)
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role("viewer")
        permissions.add_permission_for_role("viewer", "media.factory.access", True)
        permissions.add_permission_for_role("viewer", "media.factory.construct", True)
        factory.set_permissions(permissions)
    for mount in args.mounts.split(","):
        server.get_mount_points().add_factory(f"/{mount}", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{args.port}")
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
