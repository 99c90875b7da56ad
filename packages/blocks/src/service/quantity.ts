/**
 * Kubernetes resource quantities, only as far as service inputs need them: to check that a limit is
 * not below its request. Accepts the forms the inputs allow: CPU `500m` / `1` / `1.5`, memory `64Mi` / `1Gi`.
 */
// Bounded digit counts: a quantity that overflows a double could never compare correctly.
export const CPU_PATTERN: RegExp = /^(\d{1,9}m|\d{1,6}(\.\d{1,3})?)$/;
export const MEMORY_PATTERN: RegExp = /^\d{1,10}(Ki|Mi|Gi)$/;

const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

export const cpuMillicores = (quantity: string): number =>
  quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);

export const memoryBytes = (quantity: string): number => {
  const unit = quantity.slice(-2);
  return Number(quantity.slice(0, -2)) * (MEMORY_UNITS[unit] ?? Number.NaN);
};
