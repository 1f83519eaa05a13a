using System.Management.Automation;
using System.Security;

namespace IotLabKit.PowerShell.Common;

/// <summary>
/// Lets a <see cref="SecureString"/> parameter also take plain text, so a secret can come from a vault
/// (<c>Get-Secret</c>) or be typed in a lab script, while the parameter type still says it is a secret.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            null => null,
            SecureString secure => secure,
            string text => SecretText.ToSecureString(text),
            _ => throw new ArgumentTransformationMetadataException(
                $"Expected a string or a SecureString, not {value.GetType().Name}."),
        };
    }
}
