// The DALI 1.1 examples document (section 2.3): XHTML+RDFa, one element per example with typeof="example", an id,
// resource="#id", property="name", the capability it exercises and its parameters as generic-parameter key/value
// pairs (what TOPCAT's DaliExampleReader reads), plus a clickable URL for people; pure.
import { linksStandardId } from './datalink.js';
import { sodaAsyncStandardId, sodaSyncStandardId } from './service-descriptor.js';
import { xmlAttr, xmlText } from './votable.js';

/** Real identifiers from the archive, so every example works as written. */
export interface ExampleData {
  objectFrameId: string;
  objectFileName: string;
  /** Another object frame, for the many-IDs example. */
  otherFrameId: string;
  fieldId: string | null;
  /** A point near the field centre and a radius (degrees) that holds a few fibres. */
  circle: [number, number, number];
  /** A wavelength interval (metres) inside the frame's arm. */
  bandMetres: [number, number];
}

interface Example {
  id: string;
  name: string;
  capability: string;
  /** Which endpoint below the service URL. */
  endpoint: 'links' | 'sync' | 'async';
  method: 'GET' | 'POST';
  params: Array<[string, string]>;
  text: string;
}

function examplesOf(d: ExampleData): Example[] {
  const [lo, hi] = d.bandMetres;
  const list: Example[] = [
    {
      id: 'links-of-an-object-frame', name: 'DataLink: everything about one object frame', capability: linksStandardId, endpoint: 'links', method: 'GET',
      params: [['ID', d.objectFrameId]],
      text: `The raw file (#this), the calibration frames the planner would use (#calibration, #bias, #flat, ...), a SODA service descriptor to reduce ${d.objectFileName} (#proc) and, once it has been reduced, the products (#derivation).`,
    },
    {
      id: 'links-of-several-frames', name: 'DataLink: links of several frames in one request', capability: linksStandardId, endpoint: 'links', method: 'POST',
      params: [['ID', d.objectFrameId], ['ID', d.otherFrameId]],
      text: 'IDs repeat; the rows of each ID are consecutive and the ID column echoes each ID exactly. POST the same parameters as a form for many IDs.',
    },
    {
      id: 'reduce-and-cut-sync', name: 'SODA sync: reduce one object frame, keep a circle and a band', capability: sodaSyncStandardId, endpoint: 'sync', method: 'GET',
      params: [['ID', d.objectFrameId], ['CIRCLE', d.circle.join(' ')], ['BAND', `${lo} ${hi}`], ['ARMS', 'blue']],
      text: 'Answers with the reduced FITS file cut to the fibres inside the circle and the wavelengths inside the band; while the reduction still runs the answer is 503 with Retry-After, and the retry gets the cached product.',
    },
    {
      id: 'reduce-frame-async', name: 'SODA async: reduce one object frame as a UWS job', capability: sodaAsyncStandardId, endpoint: 'async', method: 'POST',
      params: [['ID', d.objectFrameId], ['EXTRACTION', 'GAUSS'], ['RESPONSEFORMAT', 'application/fits']],
      text: 'POST creates a PENDING job whose jobInfo summarises the reduction plan (the plan itself is at its /plan); POST PHASE=RUN to its /phase to start it, then GET the job with WAIT=60 until it is COMPLETED.',
    },
  ];
  if (d.fieldId) {
    list.push({
      id: 'reduce-field-async', name: 'SODA async: reduce and combine a whole 2dF field', capability: sodaAsyncStandardId, endpoint: 'async', method: 'POST',
      params: [['ID', d.fieldId], ['COMBINE', 'true'], ['SPLICE', 'true'], ['ARMS', 'both']],
      text: 'A field ID selects every object frame of one 2dF configuration on one night; the result is the combined and spliced spectra of the field.',
    });
  }
  return list;
}

const esc = xmlText;
const query = (params: Array<[string, string]>) => params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

function renderExample(e: Example, serviceUrl: string): string {
  const url = `${serviceUrl}/${e.endpoint}`;
  const full = `${url}?${query(e.params)}`;
  const params = e.params
    .map(([k, v]) => `      <li property="generic-parameter" typeof="keyval"><code property="key">${esc(k)}</code> = <code property="value">${esc(v)}</code></li>`)
    .join('\n');
  const how = e.method === 'GET'
    ? `<p>Request: <a href="${xmlAttr(full)}">GET ${esc(full)}</a></p>`
    : `<p>Request: <code>curl -d '${esc(query(e.params))}' ${esc(url)}</code> (POST, application/x-www-form-urlencoded)</p>`;
  const dlId = e.endpoint === 'links' ? `\n    <p>DataLink ID: <code property="dl-id">${esc(e.params[0][1])}</code></p>` : '';
  return `  <div typeof="example" id="${xmlAttr(e.id)}" resource="#${xmlAttr(e.id)}">
    <h2 property="name">${esc(e.name)}</h2>
    <p>Capability: <code property="capability">${esc(e.capability)}</code>; endpoint <code>${esc(url)}</code></p>
    <p>${esc(e.text)}</p>
    <ul>
${params}
    </ul>${dlId}
    ${how}
  </div>`;
}

/**
 * The examples document for the service at serviceUrl; with no archive data it says so and lists no examples
 * (every example it shows must work as written).
 */
export function examplesXhtml(serviceUrl: string, data: ExampleData | null): string {
  const u = serviceUrl.replace(/\/+$/, '');
  const body = data
    ? examplesOf(data).map((e) => renderExample(e, u)).join('\n')
    : '  <p>The archive holds no object frames yet, so there is nothing to show; examples appear once frames are ingested.</p>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML+RDFa 1.1//EN" "http://www.w3.org/MarkUp/DTD/xhtml-rdfa-2.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" version="XHTML+RDFa 1.1" xml:lang="en" lang="en">
<head>
  <title>drsoda examples</title>
  <meta http-equiv="Content-Type" content="application/xhtml+xml; charset=UTF-8"/>
</head>
<body vocab="http://www.ivoa.net/rdf/examples#">
  <h1>drsoda: SODA and DataLink examples</h1>
  <p>Requests against this archive for the capabilities listed at <a href="${xmlAttr(`${u}/capabilities`)}">${esc(`${u}/capabilities`)}</a>.
  Parameter names are case-insensitive; every request works with GET and with a POSTed form.</p>
${body}
</body>
</html>
`;
}
