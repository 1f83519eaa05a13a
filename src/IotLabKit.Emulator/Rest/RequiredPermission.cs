using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Rest;

/// <summary>Endpoint metadata: the policy rights a service call needs. Endpoints without it are open (only /health).</summary>
/// <param name="Rights">The rights the caller's policy must grant.</param>
public sealed record RequiredPermission(IotHubPermissions Rights);
