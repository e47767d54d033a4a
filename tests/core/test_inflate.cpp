// The zlib/deflate decoder (core/io/inflate.hpp) against streams made by Python's zlib module
// (every block type, matches 31 KB back), hand-built streams for what zlib never emits (a
// distance of exactly 32768, each malformed field), and corrupted and cut streams, which must
// end in a std::runtime_error and never in a crash or a hang.
#include <doctest/doctest.h>
#ifndef __EMSCRIPTEN__
#include <zlib.h>
#endif

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/io/inflate.hpp"

using namespace soma;

namespace {

using Bytes = std::vector<uint8_t>;

// Streams made by Python's zlib module (zlib.compress(data, level).hex()) from data written by
// the same generators as text() and rand_bytes() below:
//   def lcg(x):
//       while True: x = (x * 1664525 + 1013904223) % 2**32; yield x
//   def text(words, seed):
//       g = lcg(seed); return "".join(W[(x >> 24) % 16] + (".\n" if (x >> 16) & 15 == 0 else " ")
//                                     for x in (next(g) for _ in range(words))).encode()
//   def rand_bytes(n, seed): g = lcg(seed); return bytes(next(g) >> 24 for _ in range(n))
// with W the 16 words of text() below.
//  kEmpty: b"", level 6. kHello: b"hello", level 6 (a fixed-Huffman block).
//  kStored: b"stored blocks keep the bytes as they are", level 0.
//  kText9: text(1000, 1), level 9 (a dynamic-Huffman block).
//  kFar: r + bytes(30000) + r with r = rand_bytes(1000, 7), level 9 (r again 31000 bytes back).
//  kMulti: compressobj(9): text[:3000], Z_SYNC_FLUSH, b"hello hello hello", Z_FULL_FLUSH,
//  text[3000:], finish (dynamic and fixed blocks, with empty stored blocks between them).
const char* const kEmpty = "789c030000000001";
const char* const kHello = "789ccb48cdc9c90700062c0215";
const char* const kStored =
    "7801012800d7ff73746f72656420626c6f636b73206b656570207468652062797465732061732074686579206172"
    "6534380ec3";
const char* const kText9 =
    "78da7d595b72db300cfcf7297402df894de52ae3c4ced8ce7472fb4a221ebb0baa33899d4a2008e2b158b0f7cbf4"
    "7b7e6b3fcfe9367f3feeb7e9ebfe9a6faff7f631dd2fe793bdfb98dbd5e552e073fefcf568b7797a7ebd5fe75dfe"
    "edfbf158dff605f7cbd4b68f90330d7fe7f73fcb6b72d9d7b26af8b9b5afe7ec46d8d76b79cccfe5fef11bfeb257"
    "aef37cea9b9beacbfb2a07d22d375f0df11d4db8afdc4d859d1eed6d9ee01c8fdbd3bffabbbefa7c0285fdfdf994"
    "be1978a9c1c37d533f74738fd8d96c377b98a6edfe74db6dad18dacf3f32a385680b2fcda07cb7c8b4b8f25cdd4f"
    "beaf3b9f9a79cec57ca97d74590a8b7df18e5dceb6e4a3bba9e682aeabcbf7cfd1b93c2eb9435f6756431c363b56"
    "67ae3fb44148609cf59d64aa194c91cd54c9c75d1c33c4d4637e9a4ef7d6ae22defb3133ede0a8a83856f424cb24"
    "0f916d618d849d6c8bafe7c1be36359b27d7c5e793d9ba5a4309eaeec9fa4caf865ccfbfc408d9811de01afbabdc"
    "b6ff30a4444a5916aee860ab8fd2114148ca936bdf05039a66f612a001e79120942de22041dd646d3aa8303e7bf1"
    "216a9ac406c0e425f34a4b1323c69ef8122e2a32494034194ad60ed94217d5543af10a00e4a5aa28d6add7950849"
    "144148aef8a3ab6804cf6651c6574da514930a1f22acfd231c1f659fd8635af64aebee8c77616c810d5c25473609"
    "476fed74622da46997b4a36a1079dfdd6bdb9a5ab4d9dbb5c794660dd95c5dcea7510c724fe5efae8cab85a177cb"
    "6ae80f745a09a5248924256f8259dcdd824d41290cb6321361eae135281484ba05604afa25b45159c553a62b07ac"
    "800e0a21c9d650da186d830709ec6430471c15e71fd413ed008ced7c925a5837b5a286420b3fcd128b0a2acc29bb"
    "aa3c4892b0410735d5561425e5ed359b644d12b8d3a290c949448892e9b8a1b971d319d56583289c64176f8adb4a"
    "6032ea8936cc9872330c2b393faa30bb11a3adb42285ab1a46a98c9aae52bdab39d54eda3371c2e188f9e4c2388b"
    "110346c3550c7898454bfc340586150f9cd4e3c5a95220bdeb056e85e34d0685289072fd04c945629ffc0312e37f"
    "f8c1369621a57664e62fd1c61807884b953471f64ce32565568e26eea48cce1814797f765ba9740c9e479eaa3f68"
    "9ab4c1703cf7319daca00e868c558159eb5430b62b6d75d2cec429d4a344d2f32e4841df14732e52d3f0a11a9404"
    "448f8c6362c9f93ea3e1edc35180c812a9b572242541f572c2abb6db9c530ce527c1884004a35fa112dab0cda5fc"
    "5432b590a4e36b91012b0b73070cf08a6ece4e089d17114078ffc2740c73b7e6d2c24483cf6fe2744b50eb56488e"
    "579c97638571eb39560ba03d18c5e0aa82065a6a279ac0e99d16380b43ba001132bc2bd75c5216ac32bc734b1e32"
    "98a601bc5b681c5daea176623031cd57a0a0a2e6f9088735c80181cae35c6d8c7d4483ea1cc5545bafa0c0df0c67"
    "07ac42477f98c217ec9e702ee43bc8c7ac890f696d8c0d38cf17da16e928637069f78029082c0217c2930ae1a0ab"
    "52e44879b742dcaee7f915f2dd9b5ae5da95bc2c73e17e3449b57a8decd504593c606ff888da05c341de9559e28c"
    "3232832484576ade1839dc9f1e0232a761a4bc4e549bbe7e1d47fc4d383b7147e2537dadceb754bfe3f97c20cbcc"
    "4ebb76ede83ae2f3ed5a05759a77ea65d9c1153c2218240bb1bf5a2a72cf11175e954020a8f25c27138e9088ac16"
    "f91f84c189a21fd65bb47dba635f0161fc07255f88a8";
const char* const kFar =
    "78daedddf93714080007f0710e399256b9c67dd532ae69f765d89845ae5cf5108d33cf51eb9c740c4a8e487244ee"
    "905236c74e4b428ed8253dd2ba62122165161d28ecd4d87f627fdaf7fdfc231f334ec9b2f8cb63123bb89ba9d157"
    "8a7a7b4f9c651f63eeee18f5d2e32a33180aa4b23f658a972df33d9d131f38e94c97fb6dc5ea992f5e8fd70dd723"
    "b0ba34d3db667d822b472e30fb3e1f9edd67bddab44fc27eb86bdfc5c7a1473c295394dadf232c53dce4fc4f774e"
    "f650ebf376b60f65b1253bc2791c239b89c1afabc45933aed9d2e8ed4c1f7d617eb5ee5df4389e414642709a64ad"
    "6924b9a3238cc491b9ae3dee531963e95e7748a02fb3b03bd596b2f6947838697bcac22f8b7cdf7e0afb7040ed93"
    "fa1191cbe4baa5f0ed530cc1c476bbc0ecc9cd32057ea38f7983ac569dbbfb2516ae7a4f0d67f1058f70fa6c3709"
    "ff985e9a0ebdd532c1fc99e617f0e045b0527368f533ddd9ee98136eb24e5126ac1d639b8d22c5af74fbbc3cb59e"
    "d1054283e2c69c1b76669e2d34348d5898b20b271fa89b6077afabd737d18d5b3ee8c69a058bb95a7c11b2ef391b"
    "50f844bfbc395944e57dab6aa8f5f8a820cd7685e6ecb3adb4f2ccc671a348e2e4ab738eda9f5fd1e21ebac76625"
    "f2a8fb59cbfaf76249e7463c8c85dbb254ca96c91381e621392955ca46be8d7bd72215134e369833e92eb5358a03"
    "bbb4c224259565e7da68b91f0c0d6f2ac97dba21c8f3987bee78afa8666caba1239424aab6f8ae95399f1d440a51"
    "7adef769652d39e842a77c81e36b72c3b0b3f4ddadc69aa080628d5376aac6f6268f4c02ab052f49bfeb0d714dff"
    "8beb3d28dbc96ab549ca937e2b5f6c1d3e9146f8413c6763a9f2bdf2f649cd93b7da6eb61353e85535491dbb496c"
    "ee816c6a9ad8dbf2548d37a795e8fcc306d3aa37bf652c2fc4c4cca4fb9bcaeca91d3f4a0c54b492b71f33aad860"
    "faad0a3cb8e379db3542b7d97a83495e5c97a05e33885a94abf01b26519e10d7cdb46edfd1225db4207ab2f3e54c"
    "4429e643556c69e35251929a64b0d735b1d5ad820c47cd4a7223cfe2bc5d7c8358ff6321df8d8c64967c7dffe4d5"
    "bdf55f28fe2df774daf770f54f316877635e248856305d947a74a44a55f3a47aa9031f351834ef82d2a825273f9b"
    "fbc702729716dced477d19be1e423ba2192c6ab9eb50a14efc9c5077f3d4e5172e8cb6377c22bf0db634bd599b5c"
    "5e51ef3ec499ab799f5aed4ae99f1fe8b942c80b94e8fcb56eb0ca6a6b4dbf424a44a39ea0e0dc35e870b0b0c853"
    "d34e66ec384778559bbf53a741775d76d6df39e2d1cbdce6eab430cb9e44e13a77feadba909a6c5505affe64e562"
    "2b0f9ff4fbbb56667eecbcaf17a261d0e474f4591cfb7b13fd2aef5bfb097c878d229cce9bd3dbb21dce5850c4f9"
    "57860e1924046ea89afcd1629bf4d4cd408a27304f2e712bfbbab7c4d197dba2b2cd74c46afa4c40745173caccc5"
    "1b6523a7becb5f7b78dd8d43953e28ed36ceb353b074d8d9f5b76fceeb2c02000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000c07fc40c"
    "2f325e64bcc8fffb17f95fa0b5d1ca";
const char* const kMulti =
    "78da74565b8ea3400cfce7149c803bf5663a4b940c44c06835b75f68971f6588940919da6f97cb3ddffbaf7a2bbf"
    "6b3fd59f659efaf7bcd5697b94573fdf870e67af5a9e2ae702dff5fbcf52a6daafefc7b336f9dbcfb2eca7a230df"
    "fb727c991c2cfcab8fbfe3d6abec36ee167ea7f25eab0681c7362e751de7d757f88523b53974e21ca6ef8f5d2e48"
    "1777be07a21e212c9a2dd4e06929b7da873c9669d5879c89f6d00583723e745e9b8b2a95f0b239d5a48b5604b9c1"
    "1b5e7a68ad9e1a3b7453a092ff5518c5448b55a906e32d225851e3ae2d9937bda12ba89c8aa92abe4496da82077b"
    "1439b8e4d4355494406c89bc7c5fe5a57d710fa287a8431f8e38f662ee1f726012b1cff92c21150153671d2afe5a"
    "c42342603ee21336b55acd849d6b9a0ebb906a346c1a023207b9891c8ae74e20b3a3bf8a83a6eb9651c95d79e810"
    "eb1e0d0154cbe3f3e9553539c19f7344f2c005508b72e46ee5c3946290020a777680f6273846124ae3c9b3af8246"
    "4d95ab14d8807194180a4adca430373e9b4a2acccf3a7c913521711030550955291ea2f558819fda454396001843"
    "0e238b248bd9a299f2223e0301e9a8661693e8b366a424ea600097fd101385e81911797f73a804b134e1970c8b7f"
    "acf036f6ce3db0d2264dca696716ec8936a2564a1912cade79d3a568034c4512a9e626b2df56b543e73cb4bedbf3"
    "8e392deb80e673c9399bcc415a29ff6bc6785a987a0f5487fd40d9a65626902450b2938862294b5c0af90a135719"
    "44f8eaa13398ae20b42d02a7785dcc1a8d95bde5ebca875b01251a5ae2abe1b4c6c84d4cc4b893c93cf2682afe87"
    "79220fe1c63674691676a718ea306856a79a7a712615be538a294fc42f61171b14a6311427c8e39843c2920c77a7"
    "315326838818c5e178b039eea6359a13f1ff000000ffffca48cdc9c9472601000000ffff7d576d52eb300cfc9f53"
    "e404b99329e6a593927692306fb83d8e2559bb72e0076dfd25afa4d55a1c731e3ff3e7db96d63ceedf6b7aed797c"
    "e4b48c693cb674c3d5d77de98675ab9d3be62deff3f3f1ae8bafe791d7e39e1ee3ed6bdbcacfb2238fcf8ff3d4b6"
    "ee7278cd5fdb73d513e7baedfd9fefffe6631a3eeec5aa6d93815fe496ce2f3cfe9e6fe97b6f43c7d23c105b054e"
    "8f93eed4af8a566222d000f3f96751706b0eb35cd2ae2dbf932f4d8398ac16c49e8edb06990e7ec9a4e0d47ce1c5"
    "980cc52f76cbed7dba1224457d93dd7669f260b9d394fb3a901927861dc77c23151c81ddda265ab8da0f75dcb371"
    "9a4ccd5ebbf69c3690812672761a00d7c2ccaa9fd3903c489e1d9d094ef1fd1c36cf885e82c9b3ccabeb626e1a74"
    "0b615f3cf075d4620229afb6a00e0cae1c53abbe5fa6639dda21a24c32889e3a278e9f0dfc697b8c77d3509c709a"
    "23e71a35551f7a40e7826428ba2c9f31e1ea40aa07d57928e03e418424d45ae7924e6049079a5ad50a665b9c06e2"
    "27c948900856bf0a9d5587805a4879363035a604c6316e1d71cf30eafdd17909ab87d952e63514149f8ad19504c6"
    "76b0e7d29cc906fbafdb5b055dd76d3b23f35671568ebd8ceb9ba3b500d68b5fb8469556c96cb0e9398904f6e8a4"
    "a6b38611d51ad81ec36064c16a314ad47d4c64a45ad0193b651651adafacab4fb65d87bd5050518b8f664e47d520"
    "702048e5ef5c4dac7dad6098f29105964ed541672a3c682067bf7415d8706052165a49e817f63bd34002b474cf19"
    "9009135f1f8aae6d6b74e42ea67fee41535058825c843ea96b38141b711b0bb9c0a1de4e78be00dfed5173e2f6c4"
    "81c8c5de4f42a23052ec4c6b9ba5cf3927fd4247758a9e0b960335612a912ed5d393141ade50f3f51d589a43f90f"
    "41661a36ca2b4612e1b34a32f76fa167a7de91fa2939abe62fc4c1931904e3622f7776f1d5ee5f7481ea3b14186b"
    "16c8aece30d7af70d063880a0664a1eeaf2f150c70adba502b8e1a45955431fe87139a08af16d58deeea8b2e3947"
    "60e75c034769ae567f009ba58f24";

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

struct Lcg {
  uint32_t x;
  uint32_t next() { return x = x * 1664525u + 1013904223u; }
};

// The same generators as the Python that made the vectors above.
Bytes text(int words, uint32_t seed) {
  static const char* const kWords[16] = {
      "spike",  "neuron", "synapse", "membrane", "potential", "threshold", "leak",   "current",
      "weight", "trace",  "the",     "a",        "of",        "fires",     "decays", "learns"};
  Lcg g{seed};
  std::string s;
  for (int i = 0; i < words; ++i) {
    const uint32_t x = g.next();
    s += kWords[(x >> 24) % 16];
    s += ((x >> 16) & 15) == 0 ? ".\n" : " ";
  }
  return Bytes(s.begin(), s.end());
}

Bytes rand_bytes(size_t n, uint32_t seed) {
  Lcg g{seed};
  Bytes out(n);
  for (auto& b : out) b = uint8_t(g.next() >> 24);
  return out;
}

Bytes bytes_of(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

Bytes inflate(const Bytes& z, size_t max_size = 1 << 20) {
  return zlib_inflate(z.data(), z.size(), max_size);
}

int first_block_type(const Bytes& z) {
  return (z[2] >> 1) & 3;
}

// A deflate bit stream: fields least significant bit first, Huffman codes most significant first.
struct BitWriter {
  Bytes out;
  int used = 0;  // bits used in out.back()
  void put(uint32_t value, int n) {
    for (int i = 0; i < n; ++i) {
      if (used == 0) out.push_back(0);
      out.back() |= uint8_t(((value >> i) & 1) << used);
      used = (used + 1) % 8;
    }
  }
  void code(uint32_t code, int len) {
    for (int i = len - 1; i >= 0; --i) put((code >> i) & 1, 1);
  }
  void header(bool last, int type) { put(last, 1), put(uint32_t(type), 2); }
  void fixed(int sym) {  // the fixed literal/length code (RFC 1951 3.2.6)
    if (sym < 144)
      code(0x30 + sym, 8);
    else if (sym < 256)
      code(0x190 + sym - 144, 9);
    else if (sym < 280)
      code(sym - 256, 7);
    else
      code(0xc0 + sym - 280, 8);
  }
  void stored(bool last, const uint8_t* p, size_t n) {
    header(last, 0);
    used = 0;
    put(uint32_t(n), 16), put(uint32_t(~n & 0xffff), 16);
    out.insert(out.end(), p, p + n);
  }
};

uint32_t adler(const Bytes& b) {
  uint32_t a = 1, s = 0;
  for (uint8_t c : b) a = (a + c) % 65521, s = (s + a) % 65521;
  return s << 16 | a;
}

// Raw deflate data wrapped as zlib: header 78 01, data, Adler-32 of the expected output.
Bytes zlib_of(const Bytes& raw, const Bytes& expected) {
  Bytes z(raw.size() + 2);  // not {0x78, 0x01} then insert: GCC 12 warns falsely (-Warray-bounds)
  z[0] = 0x78, z[1] = 0x01;
  std::copy(raw.begin(), raw.end(), z.begin() + 2);
  const uint32_t a = adler(expected);
  for (int s = 24; s >= 0; s -= 8) z.push_back(uint8_t(a >> s));
  return z;
}

// A dynamic block header (BFINAL set, HLIT 257, HDIST 1) whose code-length code has lengths
// clen (in symbol order 0..18) and then sends the code-length symbols syms as (code, length,
// extra, extra bits).
struct Sym {
  uint32_t code;
  int len;
  uint32_t extra;
  int extra_bits;
};
BitWriter dynamic_header(const uint8_t (&clen)[19], const std::vector<Sym>& syms) {
  static const int order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  BitWriter w;
  w.header(true, 2);
  w.put(0, 5), w.put(0, 5), w.put(15, 4);
  for (int i = 0; i < 19; ++i) w.put(clen[order[i]], 3);
  for (const Sym& s : syms) w.code(s.code, s.len), w.put(s.extra, s.extra_bits);
  return w;
}

// Returns whether data decoded (to out), false for a std::runtime_error; anything else (another
// exception, a crash, a hang) fails the test.
bool decodes(const Bytes& z, Bytes& out, bool raw = false) {
  try {
    out =
        raw ? inflate_raw(z.data(), z.size(), 1 << 16) : zlib_inflate(z.data(), z.size(), 1 << 16);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace

TEST_CASE("inflate: streams from Python's zlib decode to their data") {
  CHECK(inflate(from_hex(kEmpty)).empty());
  CHECK(inflate(from_hex(kHello)) == bytes_of("hello"));
  CHECK(first_block_type(from_hex(kHello)) == 1);
  CHECK(inflate(from_hex(kStored)) == bytes_of("stored blocks keep the bytes as they are"));
  CHECK(first_block_type(from_hex(kStored)) == 0);
  const Bytes t = text(1000, 1);
  REQUIRE(t.size() == 6559);
  CHECK(first_block_type(from_hex(kText9)) == 2);
  CHECK(inflate(from_hex(kText9)) == t);
  Bytes far = rand_bytes(1000, 7);
  far.resize(31000);
  far.insert(far.end(), far.begin(), far.begin() + 1000);
  CHECK(inflate(from_hex(kFar)) == far);
  Bytes multi(t.begin(), t.begin() + 3000);
  const Bytes hello3 = bytes_of("hello hello hello");
  multi.insert(multi.end(), hello3.begin(), hello3.end());
  multi.insert(multi.end(), t.begin() + 3000, t.end());
  CHECK(inflate(from_hex(kMulti)) == multi);
  // The raw decoder on the same data, without the header and the checksum.
  const Bytes z = from_hex(kText9);
  CHECK(inflate_raw(z.data() + 2, z.size() - 6, 1 << 20) == t);
}

TEST_CASE("inflate: hand-built stored and fixed blocks, matches 32768 bytes back") {
  const Bytes r = rand_bytes(40000, 3);
  BitWriter w;
  Bytes expected = {'a', 'b'};
  w.header(false, 1), w.fixed('a'), w.fixed('b'), w.fixed(256);  // leaves a partial byte
  w.stored(false, r.data(), 20000);                              // at the next byte boundary
  w.stored(false, r.data() + 20000, 20000);
  expected.insert(expected.end(), r.begin(), r.end());
  w.header(true, 1);
  for (int i = 0; i < 3; ++i) {  // length 258 (symbol 285), distance 32768 (29, 13 extra bits)
    w.fixed(285), w.code(29, 5), w.put(8191, 13);
    for (int j = 0; j < 258; ++j) expected.push_back(expected[expected.size() - 32768]);
  }
  w.fixed('z'), w.fixed(257), w.code(0, 5);  // 'z', then length 3 distance 1: an overlapping copy
  expected.insert(expected.end(), 4, 'z');
  w.fixed(256);
  const Bytes z = zlib_of(w.out, expected);
  CHECK(inflate(z) == expected);
  CHECK(inflate_raw(w.out.data(), w.out.size(), 1 << 20) == expected);
  CHECK(inflate(z, expected.size()) == expected);
}

TEST_CASE("inflate: block ends at every bit offset") {
  // A stored block and the Adler-32 start at the next byte boundary, wherever the block before
  // ended: the decoder has to hand back whole bytes it read ahead.
  for (int k = 0; k < 24; ++k) {
    BitWriter w;
    Bytes expected;
    auto fixed_block = [&](bool last) {
      w.header(last, 1);
      for (int i = 0; i < k; ++i) {
        const int sym = i % 3 ? 'a' + i : 144 + i;  // 8- and 9-bit codes
        w.fixed(sym), expected.push_back(uint8_t(sym));
      }
      w.fixed(256);
    };
    fixed_block(false);
    const Bytes r = rand_bytes(size_t(k), uint32_t(k));
    w.stored(false, r.data(), r.size());
    expected.insert(expected.end(), r.begin(), r.end());
    fixed_block(true);
    CAPTURE(k);
    CHECK(inflate(zlib_of(w.out, expected)) == expected);
    CHECK(inflate_raw(w.out.data(), w.out.size(), 100) == expected);
  }
}

TEST_CASE("inflate: malformed streams throw errors that name the problem") {
  const Bytes hello = from_hex(kHello);
  auto bad = [](const Bytes& z) { return inflate(z); };
  CHECK_THROWS_WITH_AS(bad({0x78, 0x9d, 0x03, 0x00}), doctest::Contains("bad header (check bits)"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(bad({0x87, 0x05, 0x03, 0x00}), doctest::Contains("not deflate"),
                       std::runtime_error);  // CM 7
  CHECK_THROWS_WITH_AS(bad({0x88, 0x1c, 0x03, 0x00}), doctest::Contains("not deflate"),
                       std::runtime_error);  // 64 KB window
  CHECK_THROWS_WITH_AS(bad({0x78, 0xbb, 0, 0, 0, 1}), doctest::Contains("preset dictionary"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(bad({0x78, 0x01, 0x07, 0, 0, 0, 1}),
                       doctest::Contains("invalid block type 3"), std::runtime_error);
  CHECK_THROWS_WITH_AS(bad({0x78, 0x01, 0x01, 0x05, 0x00, 0xfa, 0xfe, 1, 2, 3, 4, 5}),
                       doctest::Contains("stored block length check failed"), std::runtime_error);
  Bytes flipped = hello;
  flipped[flipped.size() - 2] ^= 0x10;
  CHECK_THROWS_WITH_AS(bad(flipped), doctest::Contains("Adler-32 mismatch"), std::runtime_error);

  // Output caps: on a literal, a match and a stored block.
  CHECK(inflate(hello, 5) == bytes_of("hello"));
  CHECK_THROWS_WITH_AS(inflate(hello, 4), doctest::Contains("output larger than 4 bytes"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(inflate(from_hex(kText9), 6558),
                       doctest::Contains("output larger than 6558"), std::runtime_error);
  CHECK_THROWS_WITH_AS(inflate(from_hex(kStored), 10), doctest::Contains("output larger than 10"),
                       std::runtime_error);

  BitWriter w;  // a fixed block: 'a', then length 3 from 2 bytes back
  w.header(true, 1), w.fixed('a'), w.fixed(257), w.code(1, 5), w.fixed(256);
  CHECK_THROWS_WITH_AS(bad(zlib_of(w.out, {})), doctest::Contains("distance too far back"),
                       std::runtime_error);
  w = {};  // length symbol 286 exists in the fixed code but means nothing
  w.header(true, 1), w.fixed('a'), w.fixed(286), w.fixed(256);
  CHECK_THROWS_WITH_AS(bad(zlib_of(w.out, {})), doctest::Contains("invalid length symbol 286"),
                       std::runtime_error);
  w = {};  // as does distance symbol 30
  w.header(true, 1), w.fixed('a'), w.fixed(257), w.code(30, 5), w.fixed(256);
  CHECK_THROWS_WITH_AS(bad(zlib_of(w.out, {})), doctest::Contains("invalid distance symbol 30"),
                       std::runtime_error);
  w = {};  // HLIT 30: 287 literal/length codes
  w.header(true, 2), w.put(30, 5), w.put(0, 5), w.put(0, 4), w.put(0, 24);
  CHECK_THROWS_WITH_AS(bad(zlib_of(w.out, {})),
                       doctest::Contains("too many length or distance codes"), std::runtime_error);

  // Dynamic headers whose code-length code is 1 -> 0, 18 -> 1 (two codes of length 1).
  const uint8_t two[19] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const uint8_t three[19] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  CHECK_THROWS_WITH_AS(bad(zlib_of(dynamic_header(three, {}).out, {})),
                       doctest::Contains("over-subscribed"), std::runtime_error);
  // Lengths 1, 1, then 138 + 118 zeros: none for symbol 256.
  const Sym one{0, 1, 0, 0}, zeros138{1, 1, 127, 7}, zeros118{1, 1, 107, 7};
  CHECK_THROWS_WITH_AS(bad(zlib_of(dynamic_header(two, {one, one, zeros138, zeros118}).out, {})),
                       doctest::Contains("no end-of-block code"), std::runtime_error);
  CHECK_THROWS_WITH_AS(bad(zlib_of(dynamic_header(two, {one, zeros138, zeros138}).out, {})),
                       doctest::Contains("repeat past the end"), std::runtime_error);
  const uint8_t with16[19] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  CHECK_THROWS_WITH_AS(bad(zlib_of(dynamic_header(with16, {{0, 1, 0, 2}}).out, {})),
                       doctest::Contains("repeat of no length"), std::runtime_error);
  // 256 the only literal/length code (0, one bit long), the distance code 0 likewise: the
  // unused code 1 is an error when it comes. As a check of the header, 0 ends the block.
  BitWriter only_end = dynamic_header(two, {zeros138, zeros118, one, one});
  BitWriter ok = only_end;
  ok.put(0, 1);
  CHECK(inflate(zlib_of(ok.out, {})).empty());
  only_end.put(1, 1);
  CHECK_THROWS_WITH_AS(bad(zlib_of(only_end.out, {})), doctest::Contains("invalid Huffman code"),
                       std::runtime_error);
}

TEST_CASE("inflate: every cut of a stream is truncated input") {
  for (const char* hex : {kHello, kStored, kText9, kMulti}) {
    const Bytes z = from_hex(hex);
    for (size_t n = 0; n < z.size(); ++n) {
      CAPTURE(n);
      CHECK_THROWS_WITH_AS(zlib_inflate(z.data(), n, 1 << 20), doctest::Contains("truncated input"),
                           std::runtime_error);
    }
  }
}

TEST_CASE("inflate: corrupted streams decode or throw, never crash") {
  for (const char* hex : {kHello, kStored, kMulti}) {
    const Bytes z = from_hex(hex), expected = inflate(z);
    int decoded = 0;
    // Every single-bit flip: the header check or the Adler-32 catches each one, except in the
    // padding bits before a stored block's length or the Adler-32, which change nothing (at
    // most 7 each; kMulti has three such places).
    for (size_t bit = 0; bit < z.size() * 8; ++bit) {
      Bytes bad = z, out;
      bad[bit / 8] ^= uint8_t(1 << bit % 8);
      if (decodes(bad, out)) {
        ++decoded;
        CAPTURE(bit);
        CHECK(out == expected);
      }
    }
    CHECK(decoded <= 21);
  }
  // Random bytes written over the raw deflate data of kMulti (no checksum to stop at), and
  // streams of random bytes.
  const Bytes multi = from_hex(kMulti);
  const Bytes raw(multi.begin() + 2, multi.end() - 4);
  Lcg g{42};
  for (int i = 0; i < 3000; ++i) {
    Bytes bad = raw, out;
    for (int k = 1 + int(g.next() >> 30); k > 0; --k)
      bad[(g.next() >> 8) % bad.size()] = uint8_t(g.next() >> 24);
    decodes(bad, out, true);
    decodes(rand_bytes(g.next() >> 22, g.next()), out, true);
  }
}

#ifndef __EMSCRIPTEN__
TEST_CASE("inflate: agrees with zlib on every level and strategy") {
  Bytes data = text(3000, 5);
  const Bytes r = rand_bytes(50000, 9);
  data.insert(data.end(), r.begin(), r.end());
  data.insert(data.end(), 20000, 'x');
  data.insert(data.end(), r.begin(), r.begin() + 30000);
  for (size_t n : {size_t(0), size_t(1), size_t(300), data.size()}) {
    const Bytes part(data.begin(), data.begin() + long(n));
    for (int level = 0; level <= 9; ++level) {
      for (int strategy : {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED}) {
        z_stream s{};
        REQUIRE(deflateInit2(&s, level, Z_DEFLATED, 15, 8, strategy) == Z_OK);
        Bytes z(deflateBound(&s, uLong(n)));
        s.next_in = const_cast<Bytes::value_type*>(part.data());
        s.avail_in = uInt(n);
        s.next_out = z.data();
        s.avail_out = uInt(z.size());
        REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
        z.resize(s.total_out);
        deflateEnd(&s);
        CAPTURE(n);
        CAPTURE(level);
        CAPTURE(strategy);
        CHECK(zlib_inflate(z.data(), z.size(), n) == part);
      }
    }
  }
}
#endif
