// The base parameter file that real 2dFdr ships in 2dfdr_install/share/2dfdr/ and survey idx files
// include (`DRC_INCLUDE aaomega.idx`): this stand-in's defaults for every parameter it reads.
export const builtinIdx: Record<string, string> = {
  'aaomega.idx': `# aaomega.idx - drsoda aaorun built-in defaults for 2dF-AAOmega
DRC_CONST_PAR OVERSCANORDER 2 REDUCE        # polynomial order of the overscan level along the rows
DRC_CONST_PAR USEBIASIM 0 REDUCE            # subtract BIAS_FILENAME
DRC_CONST_PAR USEDARKIM 0 REDUCE            # subtract DARK_FILENAME scaled by exposure
DRC_CONST_PAR USEFLATIM 0 REDUCE            # divide by LFLAT_FILENAME
DRC_CONST_PAR DO_TLMAP 1 REDUCE             # reduce_fflat makes its tramline map first
DRC_CONST_PAR DO_REDFL 1 REDUCE             # reduce_fflat goes on past the tramline map
DRC_CONST_PAR TLMFITORDER 4 REDUCE          # polynomial degree of each traced fibre
DRC_CONST_PAR EXTR_OPERATION GAUSS REDUCE   # GAUSS (profile-weighted) or SUM/TRAM (aperture)
DRC_CONST_PAR EXTR_HALFWIDTH 2.5 REDUCE     # SUM aperture half-width in rows
DRC_CONST_PAR LACOSMIC "OBJECT ONLY" REDUCE # cosmic-ray rejection in object/sky extraction; NO disables
DRC_CONST_PAR COSRAY_SIGMA 6 REDUCE         # rejection threshold in sigma
DRC_CONST_PAR ARCFITORDER 3 REDUCE          # polynomial degree of the dispersion solution
DRC_CONST_PAR ARC_MAXSHIFT 40 REDUCE        # pixels the arc may sit off the header prediction
DRC_CONST_PAR ARC_BLENDSEP 2 REDUCE         # line-by-line fit skips list lines this many FWHM from a comparable one
DRC_CONST_PAR ARC_MODELFIT 1 REDUCE         # refine with a whole-spectrum model of every list line (blends too)
DRC_CONST_PAR USEFFLAT 1 REDUCE             # divide objects by FFLAT_FILENAME
DRC_CONST_PAR THRUPUT 1 REDUCE              # throughput calibration
DRC_CONST_PAR TPMETH SKYFLUX(MED) REDUCE    # SKYFLUX(MED), SKYFLUX(COR) or OFFSKY (with THPUT_FILENAME)
DRC_CONST_PAR SKYSUB 1 REDUCE               # subtract the median of the sky fibres
DRC_CONST_PAR COMBINE_CLIP 5 REDUCE         # cosmic-ray threshold (sigma) of combine_spectra
DRC_CONST_PAR SKYSCRUNCH 0 REDUCE           # accepted for compatibility; no effect
DRC_CONST_PAR PCASKY 0 REDUCE               # accepted for compatibility; no effect
DRC_CONST_PAR TRUNCFLAT 0 REDUCE            # accepted for compatibility; no effect
`,
};
