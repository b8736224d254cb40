// Cosmic-ray pixels found by their sharpness along the dispersion (the idea behind LA-Cosmic): light
// through the spectrograph is at least a resolution element (>= 2 px FWHM) wide in x, so a pixel far
// above both of its x-neighbours was hit, whatever the fibre profile across it.

/**
 * Marks (NaN in image and variance) pixels that exceed the mean of their two x-neighbours by `sigma`
 * times the neighbours' noise and by a factor `ratio` (a resolved line's centre is at most ~1.7 times
 * its neighbours at 2.2 px FWHM). Returns how many were masked. Tracks along y (across the fibre
 * profile), which profile fitting alone cannot tell from light, are caught here pixel by pixel.
 */
export function maskSharpPixels(image: Float32Array, variance: Float32Array, width: number, height: number, sigma = 5, ratio = 2.5): number {
  let masked = 0;
  const flag = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    flag.fill(0);
    for (let x = 1; x < width - 1; x++) {
      const l = image[o + x - 1];
      const r = image[o + x + 1];
      const c = image[o + x];
      const mean = 0.5 * (l + r);
      const noise = Math.sqrt(0.5 * (variance[o + x - 1] + variance[o + x + 1]));
      if (c - mean > sigma * noise && c > ratio * Math.max(mean, noise)) flag[x] = 1;
    }
    // Flag first, then mask, so one hit does not hide its neighbour's test.
    for (let x = 1; x < width - 1; x++) {
      if (!flag[x]) continue;
      image[o + x] = NaN;
      variance[o + x] = NaN;
      masked++;
    }
  }
  return masked;
}
