// Links and images for owner-only files: a plain link or <img> when the browser needs no credentials, and a
// fetch with the bearer token (then a blob) when signed in with one, since <a> and <img> cannot send it.
import { useEffect, useState } from 'preact/hooks';
import { signedIn } from '../api/auth';
import { request, sameOrigin } from '../api/http';

async function saveBlob(url: string, name: string): Promise<void> {
  const blob = await (await request(url, { timeoutMs: 300_000 })).blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function DownloadLink({ url, name, children, class: cls }: { url: string; name: string; children: preact.ComponentChildren; class?: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <a
        href={sameOrigin(url)}
        download={name}
        class={cls}
        onClick={(e) => {
          if (!signedIn()) return;
          e.preventDefault();
          saveBlob(url, name).catch((err: Error) => setError(err.message));
        }}
      >
        {children}
      </a>
      {error && <span class="error" role="alert"> {error}</span>}
    </>
  );
}

export function AuthImage({ src, alt, class: cls }: { src: string; alt: string; class?: string }) {
  const [url, setUrl] = useState<string | null>(signedIn() ? null : sameOrigin(src));
  useEffect(() => {
    if (!signedIn()) {
      setUrl(sameOrigin(src));
      return;
    }
    let href: string | null = null;
    const ac = new AbortController();
    request(src, { signal: ac.signal })
      .then((r) => r.blob())
      .then((b) => setUrl((href = URL.createObjectURL(b))))
      .catch(() => {});
    return () => {
      ac.abort();
      if (href) URL.revokeObjectURL(href);
    };
  }, [src]);
  return <ImageWithWait url={url} alt={alt} cls={cls} />;
}

/** A quick-look takes a moment to arrive: a spinner holds its place until the image has loaded. */
function ImageWithWait({ url, alt, cls }: { url: string | null; alt: string; cls?: string }) {
  const [state, setState] = useState<'wait' | 'done' | 'failed'>('wait');
  useEffect(() => setState('wait'), [url]);
  return (
    <>
      {state !== 'done' && (
        <span class="img-wait muted" role="status">
          {state === 'wait' ? <span class="spinner" aria-hidden="true" /> : null}
          {state === 'wait' ? 'Loading the quick-look…' : 'The quick-look could not be loaded.'}
        </span>
      )}
      {url && <img src={url} alt={alt} class={cls} loading="lazy" onLoad={() => setState('done')} onError={() => setState('failed')} />}
    </>
  );
}
