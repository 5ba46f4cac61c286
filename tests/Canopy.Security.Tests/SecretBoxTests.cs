using System.Security.Cryptography;
using System.Text;

namespace Canopy.Security.Tests;

public sealed class SecretBoxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-secretbox-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheKeyFile_IsMadeOnceWithMode0600_AndOpensWhatItSealed()
    {
        var keyFile = Path.Combine(_dir, "secrets.key");
        var box = SecretBox.LoadOrCreate(keyFile);

        File.GetUnixFileMode(keyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var sealedValue = box.Seal("hunter2"u8);
        sealedValue.ShouldNotContain("hunter2");
        SecretBox.LoadOrCreate(keyFile).Open(sealedValue).ShouldBe(Encoding.UTF8.GetBytes("hunter2"));
    }

    [Fact]
    public void EachSeal_HasAFreshNonce()
    {
        var box = SecretBox.LoadOrCreate(Path.Combine(_dir, "k"));

        box.Seal("same"u8).ShouldNotBe(box.Seal("same"u8));
    }

    [Fact]
    public void AnotherKeyOrAChangedValue_IsRefused()
    {
        var sealedValue = SecretBox.LoadOrCreate(Path.Combine(_dir, "a")).Seal("value"u8);
        var other = SecretBox.LoadOrCreate(Path.Combine(_dir, "b"));

        Should.Throw<CryptographicException>(() => other.Open(sealedValue));
        var bytes = Convert.FromBase64String(sealedValue[3..]);
        bytes[^1] ^= 1;
        Should.Throw<CryptographicException>(() => SecretBox.LoadOrCreate(Path.Combine(_dir, "a")).Open("v1." + Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void AKeyFileOfTheWrongSize_IsRefusedWithWhatToDo()
    {
        var keyFile = Path.Combine(_dir, "bad.key");
        File.WriteAllText(keyFile, "short");

        Should.Throw<InvalidDataException>(() => SecretBox.LoadOrCreate(keyFile)).Message.ShouldContain("delete it to make a new one");
    }
}
