using System.Globalization;
using System.Management.Automation;

namespace IotLabKit.PowerShell.Common;

/// <summary>
/// Lets a <see cref="TimeSpan"/> parameter take a number of seconds (<c>-Timeout 90</c>) as well as a TimeSpan or
/// its text (<c>'00:01:30'</c>). Without it PowerShell would read a bare number as ticks.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            null => null,
            TimeSpan span => span,
            int or long or short or byte or uint or ulong or double or float or decimal
                => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new ArgumentTransformationMetadataException(
                $"Expected a number of seconds or a TimeSpan (such as '00:10:00'), not '{value}'."),
        };
    }
}
