// dynalite's request type coercion (validations/index.js `checkTypes`, Apache-2.0), with the same rules and the same
// error messages, but each type descriptor is read once: dynalite parses every descriptor string with a regular
// expression and builds a new AttributeValue descriptor for every attribute value of every request, about a tenth
// of the local DynamoDB thread's CPU. `check-types.test.ts` holds this port to dynalite's original, case by case.

type Spec = string | { type?: string; children?: Spec | Record<string, Spec>; [key: string]: unknown };
type Children = Record<string, Spec>;

interface Descriptor {
  base: string;
  subtype: string | undefined;
  /** The child descriptor of a List or Map (or the fields of a struct). */
  children: Spec | Children | undefined;
}

const ATTRIBUTE_VALUE_FIELDS: Children = {
  S: 'String',
  B: 'Blob',
  N: 'String',
  BOOL: 'Boolean',
  NULL: 'Boolean',
  BS: { type: 'List', children: 'Blob' },
  NS: { type: 'List', children: 'String' },
  SS: { type: 'List', children: 'String' },
  L: { type: 'List', children: 'AttrStruct<ValueStruct>' },
  M: { type: 'Map<AttributeValue>', children: 'AttrStruct<ValueStruct>' },
};

const byString = new Map<string, Descriptor>();
const byObject = new WeakMap<object, Descriptor>();

function describe(spec: Spec): Descriptor {
  let found = typeof spec === 'string' ? byString.get(spec) : byObject.get(spec);
  if (found) return found;
  let children = typeof spec === 'string' ? undefined : spec.children;
  if (typeof children === 'string') children = { type: children };
  let type = typeof spec === 'string' ? spec : spec.type ? spec.type : (spec as unknown as string);
  let subtype: string | undefined;
  const match = /(.+?)<(.+)>$/.exec(type);
  if (match) {
    type = match[1]!;
    subtype = match[2];
  }
  if (type === 'AttrStruct') {
    // dynalite checks an AttributeValue as a struct of the fields above, named `<subtype><AttributeValue>`.
    found = describe({ type: `${subtype}<AttributeValue>`, children: ATTRIBUTE_VALUE_FIELDS });
  } else {
    found = { base: type, subtype, children };
  }
  if (typeof spec === 'string') byString.set(spec, found);
  else byObject.set(spec, found);
  return found;
}

function typeError(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400, body: { __type: 'com.amazon.coral.service#SerializationException', Message: message } });
}

export function checkTypes(data: Record<string, unknown>, types: Children): Record<string, unknown> {
  for (const key in data) {
    if (!types[key] || data[key] == null) delete data[key];
  }
  const checked: Record<string, unknown> = {};
  for (const key of Object.keys(types)) {
    const val = checkType(data[key], types[key]!);
    if (val != null) checked[key] = val;
  }
  return checked;
}

function checkType(val: unknown, spec: Spec): unknown {
  if (val == null) return null;
  const { base: type, subtype, children } = describe(spec);
  switch (type) {
    case 'Boolean':
      switch (typeof val) {
        case 'number':
          throw typeError(((val as number) % 1 === 0 ? 'NUMBER_VALUE' : 'DECIMAL_VALUE') + ' cannot be converted to ' + type);
        case 'string': {
          const upper = (val as string).toUpperCase();
          if (['TRUE', '1', 'YES'].includes(upper)) return true;
          if (['FALSE', '0', 'NO'].includes(upper)) return false;
          throw typeError('Unexpected token received from parser');
        }
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'Short':
    case 'Integer':
    case 'Long':
    case 'Double':
      switch (typeof val) {
        case 'boolean':
          throw typeError((val ? 'TRUE_VALUE' : 'FALSE_VALUE') + ' cannot be converted to ' + type);
        case 'number':
          return type !== 'Double' ? Math.floor(val as number) : val;
        case 'string':
          throw typeError('STRING_VALUE cannot be converted to ' + type);
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'String':
      switch (typeof val) {
        case 'boolean':
          throw typeError((val ? 'TRUE_VALUE' : 'FALSE_VALUE') + ' cannot be converted to ' + type);
        case 'number':
          throw typeError(((val as number) % 1 === 0 ? 'NUMBER_VALUE' : 'DECIMAL_VALUE') + ' cannot be converted to ' + type);
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'Blob': {
      switch (typeof val) {
        case 'boolean':
        case 'number':
          throw typeError('only base-64-encoded strings are convertible to bytes');
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type class java.nio.ByteBuffer');
          throw typeError('Start of structure or map found where not expected');
      }
      const text = val as string;
      if (text.length % 4) throw typeError('Base64 encoded length is expected a multiple of 4 bytes but found: ' + text.length);
      if (Buffer.from(text, 'base64').toString('base64') !== text) throw typeError('Invalid last non-pad Base64 character dectected');
      return val;
    }
    case 'List':
    case 'ParameterizedList':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError(type === 'List' ? 'Unexpected field type' : PARAMETERIZED_CAST);
        case 'object':
          if (!Array.isArray(val)) throw typeError('Start of structure or map found where not expected');
      }
      return (val as unknown[]).map((child) => checkType(child, children as Spec));
    case 'ParameterizedMap':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError(PARAMETERIZED_CAST);
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
      }
      return mapValues(val as Record<string, unknown>, children as Spec);
    case 'Map':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError('Unexpected field type');
        case 'object':
          if (Array.isArray(val)) {
            throw typeError('Unrecognized collection type java.util.Map<java.lang.String, ' + (subtype!.includes('.') ? subtype : 'com.amazonaws.dynamodb.v20120810.' + subtype) + '>');
          }
      }
      return mapValues(val as Record<string, unknown>, children as Spec);
    case 'ValueStruct':
    case 'FieldStruct':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError(type === 'ValueStruct' ? 'Unexpected value type in payload' : 'Unexpected field type');
        case 'object':
          if (Array.isArray(val)) throw typeError('Unrecognized collection type class com.amazonaws.dynamodb.v20120810.' + subtype);
      }
      return checkTypes(val as Record<string, unknown>, children as Children);
    default:
      throw new Error('Unknown type: ' + type);
  }
}

const PARAMETERIZED_CAST =
  "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

function mapValues(val: Record<string, unknown>, children: Spec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(val)) out[key] = checkType(val[key], children);
  return out;
}
