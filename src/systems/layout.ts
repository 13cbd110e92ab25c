/**
 * Layout of the f64 parameter block that every model reads (in WASM and in the TS reference).
 * The block is the single place where a system's constants live at run time, so a user can move the
 * target or reweight a cost without recompiling. `assembly/models/params.ts` mirrors these indices;
 * `test/layout.test.ts` checks that the two agree.
 */
export const P = {
  DT: 0,
  /** cost scale s */
  S: 1,
  WD: 2,
  WPEAK: 3,
  WV: 4,
  WOB: 5,
  WU: 6,
  /** soft control-bound weight w_b (= 1 / w_u in the reference) */
  WB: 7,
  /** obstacle sharpness a */
  AOB: 8,
  /** valley ("peak") sharpness a2 */
  A2: 9,
  XD: 10,
  YD: 11,
  NOBS: 12,
  /** ellipses: (XC, YC, A, B) per obstacle, A and B full widths */
  OBS: 13,
  MAX_OBS: 4,
  UMAX: 29,
  MAX_NU: 3,
  /** first system-specific slot */
  SYS: 32,
  // car_park
  CP_L: 32,
  CP_W: 33,
  CP_LD: 34,
  CP_TAU: 35,
  CP_KBOX: 36,
  CP_NBOX: 37,
  /** boxes: (xc, yc, Wx, Wy) per box */
  CP_BOX: 38,
  CP_MAX_BOX: 4,
  // manipulator
  MA_LINK: 32,
  MA_MASS: 33,
  MA_IZ: 34,
  MA_BASEX: 35,
  MA_BASEY: 36,
  // double integrator
  DI_MASS: 32,
  // toy1d: l = WU*u^2 + TOY_WX * prod_i (x - root_i)
  TOY_WX: 32,
  TOY_ROOTS: 33,
  TOY_NROOTS: 6,
  /** total length of a parameter block */
  N: 64,
} as const;

/** Numeric ids the WASM kernels switch on. */
export const SYSTEM_IDS = {
  toy1d: 0,
  single_integrator: 1,
  double_integrator: 2,
  car: 3,
  car_park: 4,
  manipulator: 5,
} as const;

/** The name of a benchmark system: "toy1d", "single_integrator", ..., "manipulator". */
export type SystemName = keyof typeof SYSTEM_IDS;
/** Every system name, in id order. */
export const SYSTEM_NAMES = Object.keys(SYSTEM_IDS) as SystemName[];
