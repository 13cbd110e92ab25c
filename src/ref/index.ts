import { P, SYSTEM_NAMES, type SystemName } from "../systems/layout.js";
import { buildParams, SYSTEMS } from "../systems/specs.js";
import type { RefModel } from "./model.js";
import { Car } from "./models/car.js";
import { CarPark } from "./models/car_park.js";
import { DoubleIntegrator } from "./models/double_integrator.js";
import { Manipulator } from "./models/manipulator.js";
import { SingleIntegrator } from "./models/single_integrator.js";
import { Toy1d } from "./models/toy1d.js";

export type { RefModel } from "./model.js";
export { Car, CarPark, DoubleIntegrator, Manipulator, SingleIntegrator, Toy1d };

const FACTORIES: Record<SystemName, (params: Float64Array) => RefModel> = {
  toy1d: (p) => new Toy1d(p),
  single_integrator: (p) => new SingleIntegrator(p),
  double_integrator: (p) => new DoubleIntegrator(p),
  car: (p) => new Car(p),
  car_park: (p) => new CarPark(p),
  manipulator: (p) => new Manipulator(p),
};

/**
 * The plain-TypeScript reference model of a benchmark system. The model keeps (does not copy) the
 * parameter block, so later edits to `params` take effect on the next call.
 */
export function refModel(name: SystemName, params?: Float64Array): RefModel {
  if (!Object.prototype.hasOwnProperty.call(FACTORIES, name)) {
    throw new Error(`refModel: unknown system ${JSON.stringify(name)}; expected one of ${SYSTEM_NAMES.join(", ")}`);
  }
  const p = params ?? buildParams(SYSTEMS[name]);
  if (!(p instanceof Float64Array) || p.length < P.N) {
    throw new RangeError(`refModel(${name}): params must be a Float64Array of length >= ${P.N}`);
  }
  return FACTORIES[name](p);
}
