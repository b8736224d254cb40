# Reads a finished SODA async job with pyvo as a client would (AsyncTAPJob: phase, results with their declared
# MIME types) and fetches every result, printing one JSON object: what pyvo saw and what each URL served.
# Run by test/interop/soda-nooverlap.test.ts: python3 soda-nooverlap-pyvo.py <job URL>
import json
import sys
import warnings

import requests
from pyvo.dal.tap import AsyncTAPJob
from pyvo.utils.xml.exceptions import UnknownElementWarning

job_url = sys.argv[1]
out = {}
with warnings.catch_warnings():
    # pyvo 1.2 warns on every element inside jobInfo (fixed in pyvo PR #679); the job document is XSD-validated.
    warnings.filterwarnings("ignore", category=UnknownElementWarning)
    job = AsyncTAPJob(job_url)
    out["phase"] = job.phase
    results = job.results
out["results"] = []
for x in results:
    body = requests.get(x.href, timeout=60)
    out["results"].append({
        "id": x.id_,
        "mime": x.mimetype,
        "status": body.status_code,
        "content_type": body.headers.get("Content-Type", ""),
        "text": body.text if body.headers.get("Content-Type", "").startswith("text/plain") else None,
        "bytes": len(body.content),
    })
print(json.dumps(out))
