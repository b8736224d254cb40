# Drives drsoda's UWS job list with Debian's pyvo, as an astronomer's script would; prints one JSON object.
# Run by test/interop/pyvo-uws.test.ts: python3 pyvo-uws.py <service base URL> (jobs at <base>/async).
import json
import sys
import warnings

import requests
from astropy.utils.exceptions import AstropyWarning
from pyvo.dal.exceptions import DALQueryError
from pyvo.dal.tap import AsyncTAPJob, TAPService

# Any astropy/pyvo warning about our documents (XML, VOTable, times) fails the test.
warnings.simplefilter("error", AstropyWarning)
# ...except known client-side ones: pyvo before PR #679 (2025) warns on any jobInfo content, which UWS
# allows and we use (progress, the reduction plan); pyvo 1.2's JobList parser does not skip the root
# element and warns "Unknown element jobs" for every UWS service.
warnings.filterwarnings("ignore", message=r".*Unknown element (jobs|jobInfo|progress)$")
base = sys.argv[1]
jobs = base + "/async"
out = {}

# Creation: pyvo's own create() follows the 303 and takes the final URL as the job URL; do the same.
r = requests.post(jobs, data={"DURATION": "0.5", "RUNID": "pyvo-run"}, timeout=30)
out["create_history"] = [h.status_code for h in r.history]
job = AsyncTAPJob(r.url)
out["job_url_is_location"] = r.url == r.history[0].headers["Location"]
out["job_id"] = job.job_id
out["version"] = job.uws_version
out["initial_phase"] = job.phase
out["owner"] = job.owner
job.execution_duration = 120
out["execution_duration"] = float(job.execution_duration.to_value("s"))
out["quote"] = str(job.quote)
out["run_id"] = job.job.runid
job.run()
out["phase_after_run"] = job.phase
job.wait(timeout=30)
out["final_phase"] = job.phase
job.raise_if_error()
out["results"] = [{"id": x.id_, "href": x.href, "size": x.size, "mime": x.mimetype} for x in job.results]
out["result_uri"] = job.result_uri
table = job.fetch_result().to_table()
out["rows"] = [[str(v) for v in row] for row in table]
out["list"] = [(j.jobid, j.phase) for j in TAPService(base).get_job_list(phases=["COMPLETED"], last=5)]
out["full_list"] = [(j.jobid, j.phase, str(j.creationtime)) for j in TAPService(base).get_job_list(last=1, short_description=False)]
job_url = job.url
job.delete()
out["after_delete"] = requests.get(job_url, timeout=30).status_code

# A failing job: wait() returns on ERROR, raise_if_error raises with the phase.
r = requests.post(jobs, data={"DURATION": "0", "FAIL": "true"}, timeout=30)
failing = AsyncTAPJob(r.url).run().wait(timeout=30)
out["failing_phase"] = failing.phase
# pyvo 1.2 does not read errorSummary/message text (its Message element never gets content), so only the
# attributes are checked here; the message itself is checked by the conformance tests.
summary = failing.job.errorsummary
out["failing_summary"] = [summary.type_, summary.has_detail]
try:
    failing.raise_if_error()
    out["raised"] = False
except DALQueryError:
    out["raised"] = True
failing.delete()

print(json.dumps(out))
