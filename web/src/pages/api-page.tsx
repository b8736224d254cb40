// The API page: the reference generated from the service's OpenAPI document (/openapi.json) by Swagger UI, bundled
// with the app and loaded only here (no CDN), and the curl/pyvo/TOPCAT guide (docs/api-guide.md, built in).
import { marked } from 'marked';
import { useEffect, useRef, useState } from 'preact/hooks';
import guide from '../../../docs/api-guide.md?raw';
import '../components/job-provenance.css';

type Tab = 'reference' | 'guide';

function Reference() {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // A separate chunk: the renderer (about 1.7 MB) is fetched only when someone opens this page.
    Promise.all([import('swagger-ui-dist/swagger-ui-es-bundle.js'), import('swagger-ui-dist/swagger-ui.css')])
      .then(([m]) => {
        if (!live || !box.current) return;
        const SwaggerUI = (m as { default: (o: Record<string, unknown>) => unknown }).default;
        SwaggerUI({ domNode: box.current, url: '/openapi.json', validatorUrl: null, deepLinking: false, tryItOutEnabled: false, docExpansion: 'list', defaultModelsExpandDepth: 0 });
      })
      .catch((e: Error) => live && setError(e.message));
    return () => void (live = false);
  }, []);
  return (
    <>
      {error && <p class="error">The reference could not be shown: {error}. The document itself is at <a href="/openapi.json">/openapi.json</a>.</p>}
      <div ref={box} class="api-reference" aria-label="API reference" role="region">
        <p class="muted">Loading the API reference…</p>
      </div>
    </>
  );
}

export function ApiPage() {
  const [tab, setTab] = useState<Tab>('reference');
  const html = tab === 'guide' ? (marked.parse(guide, { async: false }) as string) : '';
  return (
    <section class="api-page">
      <h1>API</h1>
      <p class="lead">
        Everything this site does goes through public APIs: IVOA UWS 1.1, SODA 1.0, DataLink and VOSI under <code>/soda</code>, and the
        archive listing under <code>/api</code>. The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3);
        the VOSI capabilities are at <a href="/soda/capabilities">/soda/capabilities</a>.
      </p>
      <div class="tabs" role="tablist" aria-label="API documentation">
        <button type="button" role="tab" aria-selected={tab === 'reference'} onClick={() => setTab('reference')}>
          Reference
        </button>
        <button type="button" role="tab" aria-selected={tab === 'guide'} onClick={() => setTab('guide')}>
          Guide: curl, pyvo, TOPCAT
        </button>
      </div>
      {tab === 'reference' && <Reference />}
      {/* The guide is this service's own docs/api-guide.md, bundled at build time: trusted markup. */}
      {tab === 'guide' && <div class="api-guide" role="tabpanel" aria-label="API guide" dangerouslySetInnerHTML={{ __html: html }} />}
    </section>
  );
}
