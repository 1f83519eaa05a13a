using System.Dynamic;
using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Device;

/// <summary>
/// A twin property value that is not an object (a string, number, boolean or array). It converts to whatever the
/// code asks for, as Newtonsoft's <c>JValue</c> does for Microsoft's SDK: <c>double t = desired["temperature"]</c> works
/// for <c>50</c> and for <c>"50"</c>, <c>string s = desired["mode"]</c> gives the bare string, and arrays index with
/// <c>value[0]</c>. Conversions use the invariant culture.
/// </summary>
public sealed class TwinValue : DynamicObject, IConvertible, IEquatable<TwinValue>
{
    internal TwinValue(JsonNode node) => Node = node;

    internal JsonNode Node { get; }

    /// <summary>The JSON kind of the value.</summary>
    public JsonValueKind Kind => Node.GetValueKind();

    /// <summary>Strings without quotes; anything else as JSON text.</summary>
    public override string ToString() => Kind == JsonValueKind.String ? Node.GetValue<string>() : Node.ToJsonString();

    /// <summary>The value as JSON text (strings quoted).</summary>
    public string ToJson() => Node.ToJsonString();

    /// <summary>Lets a value be passed where a string is expected (<c>int.Parse(desired["delay"])</c>).</summary>
    public static implicit operator string(TwinValue value) => value.ToString();

    /// <summary>Converts the value to <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidCastException">The value cannot be read as <typeparamref name="T"/>.</exception>
    public T To<T>() => (T)ConvertTo(typeof(T))!;

    /// <inheritdoc/>
    public override bool TryConvert(ConvertBinder binder, out object? result)
    {
        result = ConvertTo(binder.Type);
        return true;
    }

    /// <inheritdoc/>
    public override bool TryGetIndex(GetIndexBinder binder, object[] indexes, out object? result)
    {
        if (Node is JsonArray array && indexes is [int i])
        {
            if (i < 0 || i >= array.Count) throw new ArgumentOutOfRangeException(nameof(indexes), $"Index {i} is outside the array of {array.Count}.");
            result = TwinCollection.Wrap(array[i]);
            return true;
        }
        result = null;
        return false;
    }

    /// <inheritdoc/>
    public override bool TryBinaryOperation(BinaryOperationBinder binder, object arg, out object? result)
    {
        switch (binder.Operation)
        {
            case ExpressionType.Equal: result = Equals(arg); return true;
            case ExpressionType.NotEqual: result = !Equals(arg); return true;
            case ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                when arg is IConvertible && arg is not string:
                var cmp = ToDouble(null).CompareTo(Convert.ToDouble(arg, CultureInfo.InvariantCulture));
                result = binder.Operation switch
                {
                    ExpressionType.GreaterThan => cmp > 0,
                    ExpressionType.GreaterThanOrEqual => cmp >= 0,
                    ExpressionType.LessThan => cmp < 0,
                    _ => cmp <= 0,
                };
                return true;
            default:
                result = null;
                return false;
        }
    }

    /// <summary>Equal to another value with the same JSON, or to a .NET value it converts to.</summary>
    public override bool Equals(object? obj) => obj switch
    {
        null => false,
        TwinValue other => Equals(other),
        JsonNode node => JsonNode.DeepEquals(Node, node),
        _ => TryConvertTo(obj.GetType(), out var mine) && Equals(mine, obj),
    };

    /// <inheritdoc/>
    public bool Equals(TwinValue? other) => other is not null && JsonNode.DeepEquals(Node, other.Node);

    /// <inheritdoc/>
    public override int GetHashCode() => Node.ToJsonString().GetHashCode(StringComparison.Ordinal);

    private bool TryConvertTo(Type type, out object? value)
    {
        try { value = ConvertTo(type); return true; }
        catch (InvalidCastException) { value = null; return false; }
    }

    /// <summary>The one conversion rule behind casts, <see cref="IConvertible"/> and <see cref="To{T}"/>.</summary>
    internal object? ConvertTo(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(object) || target == typeof(TwinValue) || target.IsInstanceOfType(this)) return this;
        if (target == typeof(string)) return ToString();
        if (target == typeof(JsonNode)) return Node.DeepClone();
        try
        {
            if (Node is JsonValue)
            {
                var text = ToString();
                var inv = CultureInfo.InvariantCulture;
                if (target == typeof(bool)) return bool.Parse(text);
                if (target.IsEnum) return Enum.Parse(target, text, ignoreCase: true);
                if (target == typeof(Guid)) return Guid.Parse(text);
                if (target == typeof(DateTime)) return DateTime.Parse(text, inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                if (target == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, inv, DateTimeStyles.AssumeUniversal);
                if (target == typeof(TimeSpan)) return TimeSpan.Parse(text, inv);
                if (target == typeof(double)) return double.Parse(text, NumberStyles.Float, inv);
                if (target == typeof(float)) return float.Parse(text, NumberStyles.Float, inv);
                if (target == typeof(char) && text.Length == 1) return text[0];
                if (Type.GetTypeCode(target) is >= TypeCode.SByte and <= TypeCode.Decimal)
                    return Convert.ChangeType(decimal.Parse(text, NumberStyles.Float, inv), target, inv);
            }
            return Node.Deserialize(target);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidCastException($"The twin value {Node.ToJsonString()} cannot be read as {target.Name}: {ex.Message}", ex);
        }
    }

    TypeCode IConvertible.GetTypeCode() => TypeCode.Object;
    bool IConvertible.ToBoolean(IFormatProvider? provider) => (bool)ConvertTo(typeof(bool))!;
    byte IConvertible.ToByte(IFormatProvider? provider) => (byte)ConvertTo(typeof(byte))!;
    char IConvertible.ToChar(IFormatProvider? provider) => (char)ConvertTo(typeof(char))!;
    DateTime IConvertible.ToDateTime(IFormatProvider? provider) => (DateTime)ConvertTo(typeof(DateTime))!;
    decimal IConvertible.ToDecimal(IFormatProvider? provider) => (decimal)ConvertTo(typeof(decimal))!;
    /// <summary>The value as a double (numbers and numeric strings).</summary>
    public double ToDouble(IFormatProvider? provider) => (double)ConvertTo(typeof(double))!;
    short IConvertible.ToInt16(IFormatProvider? provider) => (short)ConvertTo(typeof(short))!;
    int IConvertible.ToInt32(IFormatProvider? provider) => (int)ConvertTo(typeof(int))!;
    long IConvertible.ToInt64(IFormatProvider? provider) => (long)ConvertTo(typeof(long))!;
    sbyte IConvertible.ToSByte(IFormatProvider? provider) => (sbyte)ConvertTo(typeof(sbyte))!;
    float IConvertible.ToSingle(IFormatProvider? provider) => (float)ConvertTo(typeof(float))!;
    string IConvertible.ToString(IFormatProvider? provider) => ToString();
    object IConvertible.ToType(Type conversionType, IFormatProvider? provider) => ConvertTo(conversionType)!;
    ushort IConvertible.ToUInt16(IFormatProvider? provider) => (ushort)ConvertTo(typeof(ushort))!;
    uint IConvertible.ToUInt32(IFormatProvider? provider) => (uint)ConvertTo(typeof(uint))!;
    ulong IConvertible.ToUInt64(IFormatProvider? provider) => (ulong)ConvertTo(typeof(ulong))!;
}
