namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// IoT Hub's MQTT message property bag, <c>key=value&amp;key2=value2</c> with each part URL-encoded and no leading
/// <c>?</c> (a leading one is, as on the hub, part of the first key). <c>key</c> alone is a null value, <c>key=</c>
/// an empty one. System properties have <c>$.</c> names (often sent as <c>%24.</c>).
/// </summary>
public static class MqttPropertyBag
{
    /// <summary>Decodes a bag into its pairs, in order; false with a reason when a part cannot be decoded.</summary>
    public static bool TryDecode(string bag, out List<KeyValuePair<string, string?>> pairs, out string error)
    {
        pairs = [];
        error = "";
        foreach (var part in bag.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var rawKey = eq < 0 ? part : part[..eq];
            if (!TryUnescape(rawKey, out var key) || key.Length == 0)
            {
                error = $"The property '{part}' in the topic's property bag has an invalid or empty name.";
                return false;
            }
            string? value = null;
            if (eq >= 0 && !TryUnescape(part[(eq + 1)..], out value))
            {
                error = $"The value of property '{key}' in the topic's property bag is not validly URL-encoded.";
                return false;
            }
            pairs.Add(new(key, value));
        }
        return true;
    }

    private static bool TryUnescape(string text, out string result)
    {
        try
        {
            result = Uri.UnescapeDataString(text);
            return true;
        }
        catch (UriFormatException)
        {
            result = "";
            return false;
        }
    }

    /// <summary>Encodes pairs as IoT Hub writes a bag to a device: each name and value URL-encoded (so <c>$.mid</c> is <c>%24.mid</c> and no <c>/</c> is left), a null value as the bare name.</summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string?>> pairs)
        => string.Join('&', pairs.Select(p => p.Value is null ? Uri.EscapeDataString(p.Key) : $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
}
