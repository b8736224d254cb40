# The end-to-end scenario with Debian's pyvo and astropy, as an astronomer's script would run it:
# DataLink {links} for a demo object frame -> its #proc service descriptor -> an async SODA job with a CIRCLE
# and a BAND (parameters built by pyvo's SodaQuery from the descriptor) -> blocking waits -> the FITS results,
# checked with astropy against the simulator's truth. Prints one JSON object of measurements.
# Run by test/interop/soda-pyvo.test.ts: python3 soda-pyvo.py <base URL> <object frame DID> <truth JSON>
import json
import os
import sys
import tempfile
import warnings
from urllib.parse import urlencode

import astropy.units as u
import numpy as np
import requests
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.io.votable.exceptions import E02
from astropy.utils.exceptions import AstropyWarning
from pyvo.dal.adhoc import DatalinkResults, SodaQuery
from pyvo.dal.tap import AsyncTAPJob
from pyvo.io.vosi import parse_capabilities
from pyvo.utils.xml.exceptions import UnknownElementWarning

# Any astropy/pyvo warning about the links VOTable, the job documents or the FITS files fails the test, except
# known client-side ones: pyvo 1.2 warns on every element inside jobInfo (fixed in pyvo PR #679; the job
# documents are XSD-validated by the integration tests) and does not model the VODataService `param` elements
# of a capabilities interface; astropy before VOTable 1.5 support warns E02 on
# the scalar MIN/MAX SODA recommends for interval PARAMs (ivoa-notes 8.1, astropy #16856).
warnings.simplefilter("error", AstropyWarning)
warnings.filterwarnings("ignore", category=E02)
base, did, truth_file = sys.argv[1:4]
RADIUS_DEG = 0.3
BAND_ANGSTROM = (5000.0, 5600.0)
out = {}
workdir = tempfile.mkdtemp(prefix="drsoda-soda-pyvo-")

truth = json.load(open(truth_file))
fibres = {f["name"]: f for f in truth["fields"][0]["fibres"]}
programme = [f for f in truth["fields"][0]["fibres"] if f["type"] == "P"]
known = max(programme, key=lambda f: f["spectrum"]["continuumAt5500"])
out["known"] = known["name"]

# 1. Links for the frame; pick the #proc row and its service descriptor (no network: no vocabulary expansion).
links = DatalinkResults.from_result_url(base + "/soda/links?" + urlencode({"ID": did}))
proc = next(links.bysemantics("#proc", include_narrower=False))
service = links.get_adhocservice_by_id(proc.service_def)
out["descriptor_standard_id"] = next(p.value for p in service.params if p.name == "standardID")
out["input_params"] = [p.name for p in proc.input_params]

# 2. The request from the descriptor: ID preset by it, CIRCLE and BAND converted by pyvo (Angstrom -> metres).
circle = [known["raDeg"], known["decDeg"], RADIUS_DEG] * u.deg
query = SodaQuery.from_resource(proc, service, circle=circle, band=list(BAND_ANGSTROM) * u.AA)
params = dict(query)
out["params"] = params

# 3. The async endpoint from VOSI capabilities (a sibling of the descriptor's sync accessURL).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AstropyWarning)
    caps = parse_capabilities(base + "/soda/capabilities")
async_url = next(c for c in caps if c.standardid.lower().startswith("ivo://ivoa.net/std/soda#async-1")).interfaces[0].accessurls[0].content
out["async_url"] = async_url

# 4. Create (pyvo follows the 303 and uses the final URL), run, wait with blocking polls, read the results.
r = requests.post(async_url, data=params, timeout=60)
r.raise_for_status()
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=UnknownElementWarning)
    job = AsyncTAPJob(r.url)
    out["initial_phase"] = job.phase
    job.run()
    job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=600)
    out["phase"] = job.phase
    job.raise_if_error()
    results = job.results
out["results"] = [{"id": x.id_, "mime": x.mimetype, "size": x.size} for x in results]

# 5. Every FITS result: only fibres inside the circle, only wavelengths inside the band, the known fibre's
#    spectrum as the truth predicts it.
centre = SkyCoord(known["raDeg"] * u.deg, known["decDeg"] * u.deg)
lo_m, hi_m = (w * 1e-10 for w in BAND_ANGSTROM)
checks = []
for x in results:
    body = requests.get(x.href, timeout=60)
    if x.mimetype != "application/fits":
        checks.append({"id": x.id_, "text": body.text})
        continue
    path = os.path.join(workdir, x.id_)
    with open(path, "wb") as f:
        f.write(body.content)
    with fits.open(path) as hdul:
        flux = hdul[0].data
        header = hdul[0].header
        table = hdul["FIBRES"].data
        n = header["NAXIS1"]
        lam = header["CRVAL1"] + (np.arange(n) + 1 - header["CRPIX1"]) * header["CDELT1"]
        names = [s.strip() for s in table["NAME"]]
        seps = SkyCoord(table["RA"] * u.rad, table["DEC"] * u.rad).separation(centre).deg
        expected = sorted(f["name"] for f in fibres.values() if f["type"] not in ("U", "N")
                          and SkyCoord(f["raDeg"] * u.deg, f["decDeg"] * u.deg).separation(centre).deg <= RADIUS_DEG)

        def model(f):
            # The simulator's object continuum (src/simulate/spectra.ts objectContinuum), observed frame.
            s = f["spectrum"]
            step = 0.5 * (1 + np.tanh((lam / (1 + s["redshift"]) - 4000) / 40))
            return s["continuumAt5500"] * (lam / 5500) ** s["slope"] * (s["break4000"] + (1 - s["break4000"]) * step)

        # The instrument response (flux units per truth unit, per pixel) from the other programme fibres in
        # the cut; the known fibre divided by its truth and that response should be 1 within its noise.
        others = [flux[i] / model(fibres[nm]) for i, nm in enumerate(names) if fibres[nm]["type"] == "P" and nm != known["name"]]
        response = np.nanmedian(np.array(others), axis=0)
        k = names.index(known["name"])
        ratio = flux[k] / (model(known) * response)
        sigma = np.sqrt(hdul["VARIANCE"].data[k]) / (model(known) * response)
        checks.append({
            "id": x.id_,
            "hdus": [h.name for h in hdul],
            "names": sorted(names),
            "expected_names": expected,
            "max_sep_deg": float(seps.max()),
            "lambda_min_m": float(lam.min() * 1e-10),
            "lambda_max_m": float(lam.max() * 1e-10),
            "band_m": [lo_m, hi_m],
            "pixel_m": float(abs(header["CDELT1"]) * 1e-10),
            "others": len(others),
            "known_ratio_median": float(np.nanmedian(ratio)),
            "known_chi_std": float(np.nanstd((ratio - 1) / sigma)),
        })
out["checks"] = checks

# 6. The same cut through pyvo's own SODA sync client (DatalinkRecord.processed, a GET on the descriptor's
#    accessURL): the product is cached now, and the answer is the async spliced result byte for byte.
stream = proc.processed(circle=circle, band=list(BAND_ANGSTROM) * u.AA)
sync_bytes = stream.read()
spliced = next(x for x in results if x.id_.endswith("_spliced.fits"))
with open(os.path.join(workdir, spliced.id_), "rb") as f:
    out["sync_equals_async"] = sync_bytes == f.read()
out["sync_bytes"] = len(sync_bytes)
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=UnknownElementWarning)
    job.delete()
print(json.dumps(out))
