// One problem's workspace: a header of i32 pointers, option/output/history blocks, and every per-node
// array, allocated once for a maximum horizon and reused by every solve (no allocation in iterations).
// The TS side reads the header (src/wasm/engine.ts) to make its views, so the layout lives only here.

export const H_SYS: i32 = 0;
export const H_NX: i32 = 1;
export const H_NU: i32 = 2;
export const H_NMAX: i32 = 3;
export const H_N: i32 = 4;
export const H_PARAMS: i32 = 5;
export const H_X: i32 = 6;
export const H_U: i32 = 7;
export const H_XT: i32 = 8;
export const H_UT: i32 = 9;
export const H_F: i32 = 10;
export const H_A: i32 = 11;
export const H_B: i32 = 12;
export const H_LX: i32 = 13;
export const H_LU: i32 = 14;
export const H_LXX: i32 = 15;
export const H_LUU: i32 = 16;
export const H_LUX: i32 = 17;
export const H_C: i32 = 18;
export const H_CT: i32 = 19;
export const H_K: i32 = 20;
export const H_KFF: i32 = 21;
export const H_VX: i32 = 22;
export const H_VXX: i32 = 23;
export const H_XI: i32 = 24;
export const H_X0: i32 = 25;
export const H_LB: i32 = 26;
export const H_UB: i32 = 27;
export const H_OPT: i32 = 28;
export const H_OUT: i32 = 29;
export const H_HIST: i32 = 30;
export const H_SCR: i32 = 31;
// second set of gain/value buffers: a backward pass writes there and the sets swap only on success,
// so a failed pass never destroys the last good gains (the front set is in H_K.. after each solve)
export const H_K2: i32 = 32;
export const H_KFF2: i32 = 33;
export const H_VX2: i32 = 34;
export const H_VXX2: i32 = 35;
/** host-supplied quadratic terminal model: [v0, g (n), H (n*n), xref (n)] */
export const H_TQ: i32 = 36;
/** host-supplied control reference of the tracking term 0.5 rho ||u_k - uref_k||^2 (N*m) */
export const H_UREF: i32 = 37;
/** a second trial trajectory: the expanding line search keeps its best trial here (XS, US, CS) */
export const H_XS: i32 = 38;
export const H_US: i32 = 39;
export const H_CS: i32 = 40;
export const H_SIZE: i32 = 41;
export const HEADER_BYTES: usize = 256;

// options block (f64)
export const O_MAXITER: i32 = 0;
export const O_TOL: i32 = 1;
export const O_TIME: i32 = 2;
export const O_REG: i32 = 3;
export const O_MUINIT: i32 = 4;
export const O_MUMIN: i32 = 5;
export const O_MUMAX: i32 = 6;
export const O_MUFACTOR: i32 = 7;
export const O_LSSTEPS: i32 = 8;
export const O_ARMIJO: i32 = 9;
export const O_BOX: i32 = 10;
export const O_HASX: i32 = 11;
/** terminal cost: 0 = the system's, 1 = the quadratic model only, 2 = the system's + the model */
export const O_TERM: i32 = 12;
/** weight rho of the control-tracking running term 0.5 rho ||u_k - uref_k||^2 (0 = off) */
export const O_TRACK: i32 = 13;
/** Hessian of the local model: 0 = Gauss-Newton (iLQR), 1 = exact (DDP), 2 = auto (GN, then exact), 3 = hybrid (exact where PD, else GN) */
export const O_HESS: i32 = 14;
/** stop when feasible and max_k |Qu_k|_inf <= gradTol (0 = off) */
export const O_GRADTOL: i32 = 15;
/** acceptable level: max_k |dJ/du_k|_inf / max(1, |J|) <= acceptTol at a feasible iterate */
export const O_ACCTOL: i32 = 16;
/** stop with ST_ACCEPTABLE after this many consecutive new iterates at the acceptable level (0 = off) */
export const O_ACCITER: i32 = 17;
/** largest step of the expanding line search after a very good full step (1 = off) */
export const O_ALPHAMAX: i32 = 18;
/** mu is divided by muFactor this many times after a very good full step */
export const O_MUDROPS: i32 = 19;
/** hybrid Hessian: a failed exact pass continues as Gauss-Newton from the failing node (1) or is discarded (0) */
export const O_SPLIT: i32 = 20;
/** after a failed backward pass, raise mu at once to what the failing node's Quu~ needs (1) or one step (0) */
export const O_MUJUMP: i32 = 21;
export const OPT_LEN: i32 = 22;

// outputs block (f64)
export const R_STATUS: i32 = 0;
export const R_ITER: i32 = 1;
export const R_COST: i32 = 2;
export const R_MU: i32 = 3;
export const R_FEAS: i32 = 4;
export const R_MAXGAP: i32 = 5;
export const R_TIME: i32 = 6;
export const R_NHIST: i32 = 7;
export const R_BWDOK: i32 = 8;
export const R_DV1: i32 = 9;
export const R_DV2: i32 = 10;
// where the time went (ms) and how many forward passes ran
export const R_TDIFF: i32 = 11;
export const R_TBWD: i32 = 12;
export const R_TFWD: i32 = 13;
export const R_NFWD: i32 = 14;
/** max_k |l_u + B^T lam_{k+1}|_inf at the returned trajectory (open-loop costate lam) */
export const R_STAT: i32 = 15;
/** first iteration that used the exact Hessian (-1: none) */
export const R_SWITCH: i32 = 16;
/** max_k |Qu_k|_inf of the last successful backward pass */
export const R_QUMAX: i32 = 17;
/** accepted steps taken with the exact model */
export const R_NEXACT: i32 = 18;
/** accepted steps whose backward pass was split (exact, then Gauss-Newton from a node on) */
export const R_NSPLIT: i32 = 19;
/** backward passes run, failed ones included */
export const R_NBWD: i32 = 20;
export const OUT_LEN: i32 = 21;

export const HIST_CAP: i32 = 1024;
export const PARAMS_LEN: i32 = 64;

export const ST_CONVERGED: i32 = 0;
export const ST_MAXITER: i32 = 1;
export const ST_TIMELIMIT: i32 = 2;
export const ST_REGLIMIT: i32 = 3;
export const ST_NONFINITE: i32 = 4;
export const ST_ACCEPTABLE: i32 = 5;

// @ts-ignore: decorator
@inline export function hdr(ws: usize, slot: i32): usize {
  return <usize>load<u32>(ws + (<usize>slot << 2));
}

// @ts-ignore: decorator
@inline function align16(b: usize): usize {
  return (b + 15) & ~(<usize>15);
}

/** scratch f64 count for one backward pass (Q blocks, factors, box-QP buffers), per (n, m) */
export function scratchLen(n: i32, m: i32): i32 {
  return 8 * n * n + 10 * n * m + 10 * m * m + 8 * n + 16 * m + 16;
}

/** f64 counts of the arrays, in header order from H_PARAMS to H_SCR */
function arrayLen(slot: i32, n: i32, m: i32, N: i32): i32 {
  switch (slot) {
    case H_PARAMS: return PARAMS_LEN;
    case H_X: case H_XT: case H_XS: case H_F: case H_LX: case H_VX: case H_VX2: case H_XI: return (N + 1) * n;
    case H_U: case H_UT: case H_US: case H_LU: case H_KFF: case H_KFF2: case H_UREF: return N * m;
    case H_A: return N * n * n;
    case H_B: case H_LUX: case H_K: case H_K2: return N * n * m;
    case H_LXX: case H_VXX: case H_VXX2: return (N + 1) * n * n;
    case H_LUU: return N * m * m;
    case H_C: case H_CT: case H_CS: return N + 1;
    case H_X0: return n;
    case H_LB: case H_UB: return m;
    case H_TQ: return 1 + 2 * n + n * n;
    case H_OPT: return OPT_LEN;
    case H_OUT: return OUT_LEN;
    case H_HIST: return HIST_CAP;
    case H_SCR: return scratchLen(n, m);
    default: return 0;
  }
}

/** bytes a workspace for (n, m, Nmax) needs */
export function wsBytes(n: i32, m: i32, Nmax: i32): usize {
  let b: usize = HEADER_BYTES;
  for (let s = H_PARAMS; s < H_SIZE; s++) b += align16(<usize>arrayLen(s, n, m, Nmax) << 3);
  return b;
}

/** lay out a workspace at ws (16-byte aligned, wsBytes long, zeroed by the caller's allocator) */
export function wsInit(ws: usize, sys: i32, n: i32, m: i32, Nmax: i32): void {
  store<u32>(ws + (<usize>H_SYS << 2), <u32>sys);
  store<u32>(ws + (<usize>H_NX << 2), <u32>n);
  store<u32>(ws + (<usize>H_NU << 2), <u32>m);
  store<u32>(ws + (<usize>H_NMAX << 2), <u32>Nmax);
  store<u32>(ws + (<usize>H_N << 2), <u32>Nmax);
  let b: usize = ws + HEADER_BYTES;
  for (let s = H_PARAMS; s < H_SIZE; s++) {
    store<u32>(ws + (<usize>s << 2), <u32>b);
    b += align16(<usize>arrayLen(s, n, m, Nmax) << 3);
  }
}
