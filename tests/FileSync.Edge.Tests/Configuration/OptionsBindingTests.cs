using FileSync.Edge.Configuration;
using Microsoft.Extensions.Configuration;

namespace FileSync.Edge.Tests.Configuration;

/// <summary>Values the binder cannot convert are found before the host starts, whatever their source.</summary>
public sealed class OptionsBindingTests
{
    private static IConfiguration With(string key, string value) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();

    [Theory]
    [InlineData("Sync:MaxFiles", "lots")]
    [InlineData("Sync:MaxFileBytes", "1e3")]
    [InlineData("Uplink:MessagePack", "perhaps")]
    public void AValueTheBinderCannotConvert_IsNamed(string key, string value)
    {
        var problem = OptionsBinding.Problem(With(key, value));
        Assert.NotNull(problem);
        Assert.Contains(key, problem);
    }

    [Fact]
    public void ValidValues_AreNoProblem() =>
        Assert.Null(OptionsBinding.Problem(With("Sync:MaxFiles", "3000")));
}
