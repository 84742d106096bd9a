/**
 * MediaConvert's wire format (restJson1) is the SDK's member names in lowerCamelCase:
 * `Settings.OutputGroups[0].OutputGroupSettings.CmafGroupSettings.SegmentLength` travels as
 * `settings.outputGroups[0].outputGroupSettings.cmafGroupSettings.segmentLength`. Upper-casing
 * the first letter of every key gives back the SDK's shapes (`CreateJobRequest`), except inside
 * maps, whose keys are data (`userMetadata.streamId`, `audioSelectors["Audio Selector 1"]`).
 */
const MAPS = new Set([
  'userMetadata',
  'tags',
  'audioSelectors',
  'audioSelectorGroups',
  'captionSelectors',
  'dynamicAudioSelectors',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Wire JSON to the SDK's shape. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.charAt(0).toUpperCase() + key.slice(1),
      MAPS.has(key) && isObject(inner)
        ? Object.fromEntries(Object.entries(inner).map(([name, v]) => [name, fromWire(v)]))
        : fromWire(inner),
    ]),
  );
}
