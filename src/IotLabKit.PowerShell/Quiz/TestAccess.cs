using System.Runtime.CompilerServices;

// The quiz host tests call InteractiveHost and the explanation wrapper directly.
[assembly: InternalsVisibleTo("IotLabKit.PowerShell.Tests")]
