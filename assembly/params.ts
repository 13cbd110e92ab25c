// Mirror of src/systems/layout.ts (indices into the f64 parameter block); test/layout.test.ts checks
// that the two files agree, so edit both together.
export const P_DT: i32 = 0;
export const P_S: i32 = 1;
export const P_WD: i32 = 2;
export const P_WPEAK: i32 = 3;
export const P_WV: i32 = 4;
export const P_WOB: i32 = 5;
export const P_WU: i32 = 6;
export const P_WB: i32 = 7;
export const P_AOB: i32 = 8;
export const P_A2: i32 = 9;
export const P_XD: i32 = 10;
export const P_YD: i32 = 11;
export const P_NOBS: i32 = 12;
export const P_OBS: i32 = 13;
export const P_UMAX: i32 = 29;
export const P_SYS: i32 = 32;
export const P_CP_L: i32 = 32;
export const P_CP_W: i32 = 33;
export const P_CP_LD: i32 = 34;
export const P_CP_TAU: i32 = 35;
export const P_CP_KBOX: i32 = 36;
export const P_CP_NBOX: i32 = 37;
export const P_CP_BOX: i32 = 38;
export const P_MA_LINK: i32 = 32;
export const P_MA_MASS: i32 = 33;
export const P_MA_IZ: i32 = 34;
export const P_MA_BASEX: i32 = 35;
export const P_MA_BASEY: i32 = 36;
export const P_DI_MASS: i32 = 32;
export const P_TOY_WX: i32 = 32;
export const P_TOY_ROOTS: i32 = 33;
export const P_TOY_NROOTS: i32 = 6;
export const P_N: i32 = 64;

export const SYS_TOY1D: i32 = 0;
export const SYS_SINGLE_INTEGRATOR: i32 = 1;
export const SYS_DOUBLE_INTEGRATOR: i32 = 2;
export const SYS_CAR: i32 = 3;
export const SYS_CAR_PARK: i32 = 4;
export const SYS_MANIPULATOR: i32 = 5;

/** parameter i of block p */
// @ts-ignore: decorator
@inline export function par(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
