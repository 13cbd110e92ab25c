// The problem being solved: pointers of the bound workspace, read once per solve from its header so
// the passes below take no long argument lists. One solve runs at a time per instance.
import {
  hdr, H_SYS, H_NX, H_NU, H_N, H_PARAMS, H_X, H_U, H_XT, H_UT, H_F, H_A, H_B, H_LX, H_LU, H_LXX, H_LUU,
  H_LUX, H_C, H_CT, H_K, H_KFF, H_VX, H_VXX, H_XI, H_X0, H_LB, H_UB, H_OPT, H_OUT, H_HIST, H_SCR,
  H_K2, H_KFF2, H_VX2, H_VXX2, H_TQ, O_TERM, H_UREF, O_TRACK, H_XS, H_US, H_CS,
} from "./workspace";

export let sys: i32 = 0;
export let n: i32 = 0;
export let m: i32 = 0;
export let N: i32 = 0;
export let par: usize = 0;
export let X: usize = 0;
export let U: usize = 0;
export let XT: usize = 0;
export let UT: usize = 0;
export let F: usize = 0;
export let A: usize = 0;
export let B: usize = 0;
export let LX: usize = 0;
export let LU: usize = 0;
export let LXX: usize = 0;
export let LUU: usize = 0;
export let LUX: usize = 0;
export let C: usize = 0;
export let CT: usize = 0;
// the spare trial of the expanding line search (swapTrial exchanges it with XT, UT, CT)
let XS: usize = 0;
let US: usize = 0;
let CS: usize = 0;
export let K: usize = 0;
export let KFF: usize = 0;
export let VX: usize = 0;
export let VXX: usize = 0;
// back buffers written by the backward pass
export let K2: usize = 0;
export let KFF2: usize = 0;
export let VX2: usize = 0;
export let VXX2: usize = 0;
let wsPtr: usize = 0;
/** quadratic terminal model block and its mode (O_TERM) */
export let TQ: usize = 0;
export let termMode: i32 = 0;
/** control reference and weight of the tracking term (rho = 0: the term is skipped entirely) */
export let UREF: usize = 0;
export let rho: f64 = 0;
export let XI: usize = 0;
export let X0: usize = 0;
export let LB: usize = 0;
export let UB: usize = 0;
export let OPT: usize = 0;
export let OUT: usize = 0;
export let HIST: usize = 0;
// scratch sub-blocks
export let Qx: usize = 0;
export let Qu: usize = 0;
export let Qxx: usize = 0;
export let Quu: usize = 0;
export let Qux: usize = 0;
export let Quur: usize = 0;
export let Quxr: usize = 0;
export let Lf: usize = 0;
export let VA: usize = 0;
export let VB: usize = 0;
export let G: usize = 0;
export let T: usize = 0;
export let TN: usize = 0;
export let TM: usize = 0;
export let DX: usize = 0;
export let NU: usize = 0;
export let QX: usize = 0;
export let QH: usize = 0;
export let QG: usize = 0;
export let QD: usize = 0;
export let QN: usize = 0;
export let QLO: usize = 0;
export let QHI: usize = 0;
export let QFREE: usize = 0;
export let QHF: usize = 0;
export let QLF: usize = 0;
// exact DDP: dynamics curvature contracted with the costate, and the augmented cost Hessians
export let HXX: usize = 0;
export let HUU: usize = 0;
export let HUX: usize = 0;
export let LXXS: usize = 0;
export let LUUS: usize = 0;
export let LUXS: usize = 0;
export let LAM: usize = 0;
export let LAM2: usize = 0;

// @ts-ignore: decorator
@inline function f64s(p: usize, count: i32): usize {
  return p + (((<usize>count << 3) + 15) & ~(<usize>15));
}

export function bind(ws: usize): void {
  sys = <i32>hdr(ws, H_SYS);
  n = <i32>hdr(ws, H_NX);
  m = <i32>hdr(ws, H_NU);
  N = <i32>hdr(ws, H_N);
  par = hdr(ws, H_PARAMS);
  X = hdr(ws, H_X); U = hdr(ws, H_U); XT = hdr(ws, H_XT); UT = hdr(ws, H_UT); F = hdr(ws, H_F);
  A = hdr(ws, H_A); B = hdr(ws, H_B);
  LX = hdr(ws, H_LX); LU = hdr(ws, H_LU); LXX = hdr(ws, H_LXX); LUU = hdr(ws, H_LUU); LUX = hdr(ws, H_LUX);
  C = hdr(ws, H_C); CT = hdr(ws, H_CT); K = hdr(ws, H_K); KFF = hdr(ws, H_KFF);
  VX = hdr(ws, H_VX); VXX = hdr(ws, H_VXX);
  K2 = hdr(ws, H_K2); KFF2 = hdr(ws, H_KFF2); VX2 = hdr(ws, H_VX2); VXX2 = hdr(ws, H_VXX2);
  wsPtr = ws;
  XI = hdr(ws, H_XI); X0 = hdr(ws, H_X0);
  LB = hdr(ws, H_LB); UB = hdr(ws, H_UB); OPT = hdr(ws, H_OPT); OUT = hdr(ws, H_OUT); HIST = hdr(ws, H_HIST);
  TQ = hdr(ws, H_TQ);
  termMode = <i32>load<f64>(OPT + (<usize>O_TERM << 3));
  UREF = hdr(ws, H_UREF);
  XS = hdr(ws, H_XS); US = hdr(ws, H_US); CS = hdr(ws, H_CS);
  rho = load<f64>(OPT + (<usize>O_TRACK << 3));
  let p = hdr(ws, H_SCR);
  Qx = p; p = f64s(p, n);
  Qu = p; p = f64s(p, m);
  Qxx = p; p = f64s(p, n * n);
  Quu = p; p = f64s(p, m * m);
  Qux = p; p = f64s(p, m * n);
  Quur = p; p = f64s(p, m * m);
  Quxr = p; p = f64s(p, m * n);
  Lf = p; p = f64s(p, m * m);
  VA = p; p = f64s(p, n * n);
  VB = p; p = f64s(p, n * m);
  G = p; p = f64s(p, n);
  T = p; p = f64s(p, m * n);
  TN = p; p = f64s(p, n * n);
  TM = p; p = f64s(p, m * n);
  DX = p; p = f64s(p, n);
  NU = p; p = f64s(p, m);
  QX = p; p = f64s(p, m);
  QH = p; p = f64s(p, m * m);
  QG = p; p = f64s(p, m);
  QD = p; p = f64s(p, m);
  QN = p; p = f64s(p, m);
  QLO = p; p = f64s(p, m);
  QHI = p; p = f64s(p, m);
  QFREE = p; p = f64s(p, m);
  QHF = p; p = f64s(p, m * m);
  QLF = p; p = f64s(p, m * m);
  HXX = p; p = f64s(p, n * n);
  HUU = p; p = f64s(p, m * m);
  HUX = p; p = f64s(p, m * n);
  LXXS = p; p = f64s(p, n * n);
  LUUS = p; p = f64s(p, m * m);
  LUXS = p; p = f64s(p, m * n);
  LAM = p; p = f64s(p, n);
  LAM2 = p; p = f64s(p, n);
}

/** make the back gain/value buffers the front ones (after a successful backward pass) */
export function swapGains(): void {
  let t = K; K = K2; K2 = t;
  t = KFF; KFF = KFF2; KFF2 = t;
  t = VX; VX = VX2; VX2 = t;
  t = VXX; VXX = VXX2; VXX2 = t;
}

/** publish the front buffers in the header for the host to read */
export function publishGains(): void {
  store<u32>(wsPtr + (<usize>H_K << 2), <u32>K);
  store<u32>(wsPtr + (<usize>H_KFF << 2), <u32>KFF);
  store<u32>(wsPtr + (<usize>H_VX << 2), <u32>VX);
  store<u32>(wsPtr + (<usize>H_VXX << 2), <u32>VXX);
  store<u32>(wsPtr + (<usize>H_K2 << 2), <u32>K2);
  store<u32>(wsPtr + (<usize>H_KFF2 << 2), <u32>KFF2);
  store<u32>(wsPtr + (<usize>H_VX2 << 2), <u32>VX2);
  store<u32>(wsPtr + (<usize>H_VXX2 << 2), <u32>VXX2);
}

/**
 * Exchange the trial buffers with the spare ones (pointers only; bind() restores the header's for
 * the next solve): the expanding line search keeps its best trial while the forward pass writes the
 * next one.
 */
export function swapTrial(): void {
  let t = XT; XT = XS; XS = t;
  t = UT; UT = US; US = t;
  t = CT; CT = CS; CS = t;
}
