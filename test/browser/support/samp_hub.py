# A SAMP hub with the Web Profile for the browser tests, plus a desktop-style client registered on it that
# receives what a web page sends (as TOPCAT would), fetches the URL it was given and reports on stdout (one JSON
# object a line): {"event": "ready"}, {"event": "approved", ...} for each Web Profile registration (auto-accepted:
# test only; a real hub asks its user), {"event": "received", ...} for each message. Ends on SIGTERM or when
# stdin closes.
import json
import signal
import sys
import threading
import urllib.request

from astropy.io import fits, votable
from astropy.samp import SAMPHubServer, SAMPIntegratedClient

MTYPES = ['table.load.votable', 'table.load.fits', 'spectrum.load.ssa-generic']


def say(**event):
    print(json.dumps(event), flush=True)


class AutoAccept:
    """A web_profile_dialog that accepts every registration (the hub sets queue_request and queue_result)."""

    def run(self):
        while True:
            identity, client, origin = self.queue_request.get()
            name = identity.get('samp.name') if isinstance(identity, dict) else identity
            say(event='approved', name=name, origin=origin)
            self.queue_result.put(True)


def describe(url, body):
    """What the fetched document holds: VOTable rows and fields, or FITS HDUs."""
    import io
    if body[:6] == b'SIMPLE':
        with fits.open(io.BytesIO(body)) as hdul:
            return {'format': 'fits', 'hdus': [h.name for h in hdul]}
    table = votable.parse_single_table(io.BytesIO(body)).to_table()
    first = {}
    if len(table):
        for name in table.colnames:
            v = table[name][0]
            first[name] = v.tolist() if hasattr(v, 'tolist') else v
    return {'format': 'votable', 'rows': len(table), 'fields': table.colnames, 'first': first}


def main():
    dialog = AutoAccept()
    hub = SAMPHubServer(web_profile=True, web_profile_dialog=dialog, lockfile=sys.argv[1], addr='127.0.0.1', label='drsoda test hub')
    hub.start(wait=False)
    threading.Thread(target=dialog.run, daemon=True).start()
    client = SAMPIntegratedClient(name='drsoda test receiver', description='receives what the web page sends')
    client.connect(hub=hub)

    def received(private_key, sender_id, msg_id, mtype, params, extra):
        url = params.get('url', '')
        report = {'event': 'received', 'mtype': mtype, 'url': url, 'params': params,
                  'sender': client.get_metadata(sender_id).get('samp.name')}
        try:
            with urllib.request.urlopen(url, timeout=60) as res:
                body = res.read()
                report.update(status=res.status, bytes=len(body), content_type=res.headers.get('Content-Type'))
                report.update(describe(url, body))
        except Exception as e:  # reported to the test, which fails on it
            report.update(error=f'{type(e).__name__}: {e}')
        say(**report)
        if msg_id is not None:
            client.reply(msg_id, {'samp.status': 'samp.ok', 'samp.result': {}})

    for mtype in MTYPES:
        client.bind_receive_notification(mtype, lambda pk, sid, mt, p, x: received(pk, sid, None, mt, p, x))
        client.bind_receive_call(mtype, received)
    say(event='ready', web_port=21012)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    client.disconnect()
    hub.stop()


if __name__ == '__main__':
    main()
