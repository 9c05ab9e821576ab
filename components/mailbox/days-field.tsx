import { z } from 'zod';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';

/** R4: the presets offered; any whole number of days from 1 to 365 may be typed. */
export const BACKFILL_PRESETS = [7, 14, 30, 60, 90] as const;

/** The days as typed (text) to the number the engine takes, with the problem in plain words. */
export const backfillDaysField = z
  .string()
  .trim()
  .regex(/^\d+$/, 'Enter a whole number of days, from 1 to 365.')
  .transform(Number)
  .pipe(z.number().int().min(1, 'Enter at least 1 day.').max(365, 'Enter at most 365 days (one year).'));

/**
 * The backfill window (R4): a number field with the preset buttons under it. The presets set the
 * field; the one matching it is shown pressed.
 */
export function DaysField(props: { label: string; value: string; onChange: (value: string) => void; error?: string; hint?: string; disabled?: boolean }) {
  return (
    <div className="days-field">
      <TextField
        label={props.label}
        type="number"
        inputMode="numeric"
        min={1}
        max={365}
        step={1}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        error={props.error}
        hint={props.hint}
        disabled={props.disabled}
      />
      <div className="presets" role="group" aria-label="Preset windows">
        {BACKFILL_PRESETS.map((days) => (
          <Button key={days} variant="secondary" className="preset" aria-pressed={props.value.trim() === String(days)} disabled={props.disabled} onClick={() => props.onChange(String(days))}>
            {days} days
          </Button>
        ))}
      </div>
    </div>
  );
}
