// The quick-look PNG of the product a result was cut from, as a fibre picker: its upper panel is the reduced
// frame, one row per slit fibre with fibre 1 on top (src/previews/product-preview.ts draws it in the box
// x 80-960, y 50-290 of a 1000 x 760 image), so a click there names a fibre.
import { AuthImage } from '../authed';

/** The frame panel of a spectra quick-look, in image pixels (src/previews/product-preview.ts renderSpectra). */
export const frameBox = { x: 80, y: 50, w: 880, h: 240, imageWidth: 1000 } as const;

/** The slit fibre (1-based) under image pixel (x, y) of a quick-look of `rows` fibres, or null outside the frame. */
export function fibreAt(x: number, y: number, rows: number): number | null {
  if (x < frameBox.x || x >= frameBox.x + frameBox.w || y < frameBox.y || y >= frameBox.y + frameBox.h) return null;
  return Math.min(rows, Math.floor(((y - frameBox.y) / frameBox.h) * rows) + 1);
}

export function QuicklookPicker({ src, name, rows, onPick }: { src: string; name: string; rows: number; onPick: (fibre: number) => void }) {
  return (
    <figure
      class="quicklook-picker"
      onClick={(e) => {
        const img = (e.currentTarget as HTMLElement).querySelector('img');
        if (!img) return;
        const box = img.getBoundingClientRect();
        const k = frameBox.imageWidth / box.width;
        const f = fibreAt((e.clientX - box.left) * k, (e.clientY - box.top) * k, rows);
        if (f !== null) onPick(f);
      }}
    >
      <AuthImage src={src} alt={`Quick-look of ${name}: click a row of the frame to plot that fibre`} />
      <figcaption class="muted">Quick-look of {name}: click a fibre (a row of the frame image) to plot it.</figcaption>
    </figure>
  );
}
