"""Drives drsoda's DataLink and VOSI endpoints with Debian's pyvo, as an astronomer's script would, and prints
what pyvo understood as JSON for datalink-pyvo.test.ts to check.

argv: service URL (…/soda), an object frame ID, a field ID, the datalink/core vocabulary file (pyvo fetches
it from www.ivoa.net to expand narrower terms; the test machine is offline, so it is put into astropy's cache).
"""
import json
import sys
import warnings
from urllib.parse import quote

import astropy.units as u
import numpy as np
from astropy.utils.data import import_file_to_cache

service, object_id, field_id, vocabulary = sys.argv[1:5]
import_file_to_cache("http://www.ivoa.net/rdf/datalink/core", vocabulary)

from pyvo.dal import DALQueryError  # noqa: E402
from pyvo.dal.adhoc import DatalinkQuery, DatalinkResults, DatalinkService, SodaQuery  # noqa: E402
from pyvo.io.vosi import parse_capabilities  # noqa: E402

out = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    # pyvo leaves its streamed downloads' sockets to the garbage collector: a client-side matter.
    warnings.simplefilter("ignore", ResourceWarning)

    dl = DatalinkResults.from_result_url(f"{service}/links?ID={quote(object_id, safe='')}")
    out["ids"] = sorted({str(r.id) for r in dl})
    out["semantics"] = [r.semantics for r in dl]
    # include_narrower=True expands #calibration to #bias, #dark and #flat with the vocabulary.
    out["calibrations"] = sorted(r.semantics for r in dl.bysemantics("#calibration"))
    this = next(dl.bysemantics("#this"))
    out["this"] = {"url": this.access_url, "length": int(this.content_length), "type": this.content_type}
    out["downloaded"] = len(this.getdataset().read())

    procs = list(dl.bysemantics("#proc"))
    out["procs"] = [p.service_def for p in procs]
    proc = procs[0]
    sd = dl.get_adhocservice_by_id(proc.service_def)
    params = {p.name: p.value for p in sd.params}
    out["descriptor"] = {"accessURL": str(params["accessURL"]), "standardID": str(params["standardID"])}
    out["soda_by_ivoid"] = dl.get_adhocservice_by_ivoid("ivo://ivoa.net/std/SODA#sync-1").ID
    inputs = {p.name: p for p in proc.input_params}
    out["input_names"] = list(inputs)
    out["id_value"] = str(inputs["ID"].value)
    out["arms_options"] = [str(o[1]) for o in inputs["ARMS"].values.options]
    # astropy reads a scalar MIN/MAX of an arraysize="2" PARAM as an array (filled from the one value).
    out["band"] = [float(np.ravel(inputs["BAND"].values.min)[0]), float(np.ravel(inputs["BAND"].values.max)[0])]
    out["circle_max"] = [float(x) for x in inputs["CIRCLE"].values.max]
    # What pyvo would send to the SODA service: fixed ID, CIRCLE and BAND from astropy quantities.
    q = SodaQuery.from_resource(proc, sd, circle=[out["circle_max"][0], out["circle_max"][1], 0.25] * u.deg, band=[500, 550] * u.nm)
    out["soda_url"] = q.queryurl
    out["soda_params"] = {k: str(v) for k, v in q.items()}

    # Several IDs in one request, grouped per ID as iter_datalinks does.
    many = DatalinkService(f"{service}/links").run_sync([object_id, field_id])
    out["grouped"] = {i: [r.semantics for r in many.clone_byid(i)] for i in [object_id, field_id]}

    try:
        DatalinkQuery(f"{service}/links", id=object_id, responseformat="text/csv").execute()
        out["bad_format"] = None
    except DALQueryError as e:
        out["bad_format"] = str(e)

    caps = parse_capabilities(f"{service}/capabilities")
    out["capabilities"] = [
        {"id": c.standardid, "type": type(i).__name__, "url": i.accessurls[0].content, "use": i.accessurls[0].use, "role": i.role,
         "queryTypes": list(getattr(i, "querytypes", []))}
        for c in caps for i in c.interfaces
    ]
    # DatalinkService finds the capabilities as pyvo does for any service (…/links/capabilities, then the sibling).
    out["service_capabilities"] = sorted(c.standardid for c in DatalinkService(f"{service}/links").capabilities)
out["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
print(json.dumps(out))
