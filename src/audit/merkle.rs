//! The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1): leaf hash `H(0x00 ‖ data)`, node
//! hash `H(0x01 ‖ left ‖ right)`, SHA-256, the split at the largest power of two
//! smaller than the size. For the ledger, a leaf's data is an event's 32-byte `hash`,
//! in log order. Pure functions over leaf hashes; verification follows RFC 9162
//! §2.1.3.2 and §2.1.4.2.

use crate::store::Sha256;

/// `H(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Sha256 {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(0);
    bytes.extend_from_slice(data);
    Sha256::of(&bytes)
}

/// `H(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Sha256, right: &Sha256) -> Sha256 {
    let mut bytes = [0u8; 65];
    bytes[0] = 1;
    bytes[1..33].copy_from_slice(&left.0);
    bytes[33..].copy_from_slice(&right.0);
    Sha256::of(&bytes)
}

/// The largest power of two smaller than `size` (size ≥ 2).
fn split(size: usize) -> usize {
    debug_assert!(size >= 2, "only trees of two or more leaves split");
    let mut k = 1;
    while k * 2 < size {
        k *= 2;
    }
    k
}

/// The Merkle tree hash of the leaves (given as leaf hashes); the empty tree's is
/// SHA-256 of nothing.
pub fn root(leaves: &[Sha256]) -> Sha256 {
    match leaves.len() {
        0 => Sha256::of(&[]),
        1 => leaves[0],
        size => {
            let k = split(size);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` (RFC 6962 §2.1.1); `None` if out of range.
pub fn inclusion_proof(index: usize, leaves: &[Sha256]) -> Option<Vec<Sha256>> {
    (index < leaves.len()).then(|| path(index, leaves))
}

fn path(index: usize, leaves: &[Sha256]) -> Vec<Sha256> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    let (mut proof, sibling) = if index < k {
        (path(index, &leaves[..k]), root(&leaves[k..]))
    } else {
        (path(index - k, &leaves[k..]), root(&leaves[..k]))
    };
    proof.push(sibling);
    proof
}

/// The consistency proof from the tree of the first `old_size` leaves to the tree of
/// all of them (RFC 6962 §2.1.2); `None` unless 0 < old_size ≤ size.
pub fn consistency_proof(old_size: usize, leaves: &[Sha256]) -> Option<Vec<Sha256>> {
    (0 < old_size && old_size <= leaves.len()).then(|| subproof(old_size, leaves, true))
}

fn subproof(old_size: usize, leaves: &[Sha256], complete: bool) -> Vec<Sha256> {
    if old_size == leaves.len() {
        return if complete {
            Vec::new()
        } else {
            vec![root(leaves)]
        };
    }
    let k = split(leaves.len());
    let (mut proof, sibling) = if old_size <= k {
        (
            subproof(old_size, &leaves[..k], complete),
            root(&leaves[k..]),
        )
    } else {
        (
            subproof(old_size - k, &leaves[k..], false),
            root(&leaves[..k]),
        )
    };
    proof.push(sibling);
    proof
}

/// Whether `proof` shows the leaf `leaf` at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Sha256,
    proof: &[Sha256],
    root: &Sha256,
) -> bool {
    root_from_inclusion(index, size, leaf, proof) == Some(*root)
}

/// The root that `proof`, as the audit path of `leaf` at `index` in a tree of `size`,
/// leads to (RFC 9162 §2.1.3.2); `None` when it cannot be such a path (its length is
/// wrong for that index and size). A reader that meets the proofs before the root
/// they must reach keeps the roots, not the proofs.
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Sha256,
    proof: &[Sha256],
) -> Option<Sha256> {
    if index >= size {
        return None;
    }
    let (mut node, mut last) = (index, size - 1);
    let mut hash = *leaf;
    for sibling in proof {
        if last == 0 {
            return None;
        }
        if node & 1 == 1 || node == last {
            hash = node_hash(sibling, &hash);
            while node & 1 == 0 && node != 0 {
                node >>= 1;
                last >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    (last == 0).then_some(hash)
}

/// The Merkle tree hash of leaves given one at a time, holding one hash per set bit of
/// the count so far (the tree's perfect subtrees, largest first): the root of a log of
/// any length in a few hundred bytes.
#[derive(Clone, Debug, Default)]
pub struct Frontier {
    /// (root, leaf count) of each perfect subtree, left to right; counts are distinct
    /// powers of two, decreasing.
    subtrees: Vec<(Sha256, u64)>,
}

impl Frontier {
    /// Adds the next leaf (a leaf hash).
    pub fn push(&mut self, leaf: Sha256) {
        let (mut hash, mut size) = (leaf, 1u64);
        while let Some(&(left, left_size)) = self.subtrees.last() {
            if left_size != size {
                break;
            }
            self.subtrees.pop();
            hash = node_hash(&left, &hash);
            size *= 2;
        }
        self.subtrees.push((hash, size));
    }

    /// The root of the leaves pushed so far, as [`root`] computes it: RFC 9162 splits
    /// at the largest power of two, so the root joins the subtrees from the right.
    pub fn root(&self) -> Sha256 {
        let mut subtrees = self.subtrees.iter().rev();
        match subtrees.next() {
            None => Sha256::of(&[]),
            Some(&(right, _)) => subtrees.fold(right, |hash, (left, _)| node_hash(left, &hash)),
        }
    }
}

/// Whether `proof` shows that the tree of `new_size` with `new_root` extends the tree
/// of `old_size` with `old_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Sha256,
    new_root: &Sha256,
    proof: &[Sha256],
) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Sha256> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut node, mut last) = (old_size - 1, new_size - 1);
    while node & 1 == 1 {
        node >>= 1;
        last >>= 1;
    }
    let (mut old_hash, mut new_hash) = (*first, *first);
    for sibling in rest {
        if last == 0 {
            return false;
        }
        if node & 1 == 1 || node == last {
            old_hash = node_hash(sibling, &old_hash);
            new_hash = node_hash(sibling, &new_hash);
            while node & 1 == 0 && node != 0 {
                node >>= 1;
                last >>= 1;
            }
        } else {
            new_hash = node_hash(&new_hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    last == 0 && old_hash == *old_root && new_hash == *new_root
}

/// A tree kept level by level, so the root of any prefix and every proof cost
/// O(log n) hashes instead of O(n): an export proves thousands of events against a
/// log of millions. `levels[k][i]` is the root of the complete subtree of `2^k` leaves
/// starting at leaf `i * 2^k`. The functions above are the reference it is tested
/// against.
#[derive(Clone, Debug, Default)]
pub struct MerkleTree {
    levels: Vec<Vec<Sha256>>,
}

impl MerkleTree {
    /// Builds the levels over leaf hashes (already `leaf_hash`ed), in order.
    pub fn new(leaves: Vec<Sha256>) -> MerkleTree {
        let mut levels = vec![leaves];
        loop {
            // OK because `levels` starts with one level and only grows.
            let below = levels.last().expect("at least the leaves");
            if below.len() < 2 {
                break;
            }
            let above: Vec<Sha256> = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        MerkleTree { levels }
    }

    /// Leaves in the tree.
    pub fn size(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// The root of the subtree over leaves `start..start + len` (RFC 6962 shape).
    fn range_root(&self, start: usize, len: usize) -> Sha256 {
        if len == 0 {
            return Sha256::of(&[]);
        }
        if len.is_power_of_two() && start.is_multiple_of(len) {
            let level = len.trailing_zeros() as usize;
            return self.levels[level][start >> level];
        }
        let k = split(len);
        node_hash(
            &self.range_root(start, k),
            &self.range_root(start + k, len - k),
        )
    }

    /// The root of the tree over the first `size` leaves.
    pub fn root(&self, size: usize) -> Option<Sha256> {
        (size <= self.size()).then(|| self.range_root(0, size))
    }

    /// RFC 9162 audit path of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: usize, size: usize) -> Option<Vec<Sha256>> {
        (index < size && size <= self.size()).then(|| self.path(index, 0, size))
    }

    fn path(&self, index: usize, start: usize, len: usize) -> Vec<Sha256> {
        if len <= 1 {
            return Vec::new();
        }
        let k = split(len);
        let (mut proof, sibling) = if index < k {
            (
                self.path(index, start, k),
                self.range_root(start + k, len - k),
            )
        } else {
            (
                self.path(index - k, start + k, len - k),
                self.range_root(start, k),
            )
        };
        proof.push(sibling);
        proof
    }

    /// RFC 9162 consistency path from the first `old_size` leaves to the first `size`.
    pub fn consistency_proof(&self, old_size: usize, size: usize) -> Option<Vec<Sha256>> {
        (0 < old_size && old_size <= size && size <= self.size())
            .then(|| self.subproof(old_size, 0, size, true))
    }

    fn subproof(&self, old_size: usize, start: usize, len: usize, complete: bool) -> Vec<Sha256> {
        if old_size == len {
            return if complete {
                Vec::new()
            } else {
                vec![self.range_root(start, len)]
            };
        }
        let k = split(len);
        let (mut proof, sibling) = if old_size <= k {
            (
                self.subproof(old_size, start, k, complete),
                self.range_root(start + k, len - k),
            )
        } else {
            (
                self.subproof(old_size - k, start + k, len - k, false),
                self.range_root(start, k),
            )
        };
        proof.push(sibling);
        proof
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6962 test leaves (certificate-transparency's merkle tree tests).
    fn leaves() -> Vec<Sha256> {
        let data: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        data.iter().map(|bytes| leaf_hash(bytes)).collect()
    }

    fn hex(text: &str) -> Sha256 {
        Sha256::parse_hex(text).unwrap()
    }

    #[test]
    fn roots_match_the_rfc_6962_known_answers() {
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves = leaves();
        for (size, root_hex) in expected.iter().enumerate() {
            assert_eq!(
                root(&leaves[..size + 1]),
                hex(root_hex),
                "tree of {}",
                size + 1
            );
        }
        assert_eq!(
            root(&[]),
            hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn proofs_match_the_rfc_6962_known_answers() {
        let leaves = leaves();
        let path_0 = [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ];
        assert_eq!(
            inclusion_proof(0, &leaves).unwrap(),
            path_0.map(hex).to_vec()
        );
        let path_5 = [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ];
        assert_eq!(
            inclusion_proof(5, &leaves).unwrap(),
            path_5.map(hex).to_vec()
        );
        let consistency_6_8 = [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ];
        assert_eq!(
            consistency_proof(6, &leaves).unwrap(),
            consistency_6_8.map(hex).to_vec()
        );
        let consistency_2_5 = [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ];
        assert_eq!(
            consistency_proof(2, &leaves[..5]).unwrap(),
            consistency_2_5.map(hex).to_vec()
        );
    }

    /// The frontier's root is the reference root after every leaf, up to 300 leaves
    /// (every shape of the last subtrees), and each proof leads to that root.
    #[test]
    fn a_frontier_has_the_reference_root_at_every_size() {
        let leaves: Vec<Sha256> = (0u32..300).map(|n| leaf_hash(&n.to_be_bytes())).collect();
        let mut frontier = Frontier::default();
        assert_eq!(frontier.root(), root(&[]));
        for size in 1..=leaves.len() {
            frontier.push(leaves[size - 1]);
            assert_eq!(frontier.root(), root(&leaves[..size]), "size {size}");
            let index = size / 3;
            let proof = inclusion_proof(index, &leaves[..size]).unwrap();
            let size = size as u64;
            let leaf = &leaves[index];
            assert_eq!(
                root_from_inclusion(index as u64, size, leaf, &proof),
                Some(frontier.root())
            );
            assert_eq!(root_from_inclusion(size, size, leaf, &proof), None);
            if !proof.is_empty() {
                let short = &proof[..proof.len() - 1];
                assert_eq!(
                    root_from_inclusion(index as u64, size, leaf, short)
                        .filter(|r| *r == frontier.root()),
                    None
                );
            }
        }
    }

    #[test]
    fn every_proof_verifies_and_every_altered_proof_fails() {
        let leaves = leaves();
        let forged = leaf_hash(b"forged");
        for size in 1..=leaves.len() {
            let tree = &leaves[..size];
            let tree_root = root(tree);
            for index in 0..size {
                let proof = inclusion_proof(index, tree).unwrap();
                assert!(
                    verify_inclusion(index as u64, size as u64, &tree[index], &proof, &tree_root),
                    "leaf {index} of {size}"
                );
                assert!(
                    !verify_inclusion(index as u64, size as u64, &forged, &proof, &tree_root),
                    "a forged leaf {index} of {size}"
                );
                if size > 1 {
                    assert!(
                        !verify_inclusion(
                            ((index + 1) % size) as u64,
                            size as u64,
                            &tree[index],
                            &proof,
                            &tree_root
                        ),
                        "a wrong index {index} of {size}"
                    );
                }
            }
            for old_size in 1..=size {
                let proof = consistency_proof(old_size, tree).unwrap();
                let old_root = root(&leaves[..old_size]);
                assert!(
                    verify_consistency(old_size as u64, size as u64, &old_root, &tree_root, &proof),
                    "{old_size} → {size}"
                );
                if old_size < size {
                    assert!(
                        !verify_consistency(
                            old_size as u64,
                            size as u64,
                            &forged,
                            &tree_root,
                            &proof
                        ),
                        "a forged old root {old_size} → {size}"
                    );
                    let mut altered = proof.clone();
                    altered[0] = forged;
                    assert!(
                        !verify_consistency(
                            old_size as u64,
                            size as u64,
                            &old_root,
                            &tree_root,
                            &altered
                        ),
                        "an altered proof {old_size} → {size}"
                    );
                }
            }
        }
    }

    /// The level-by-level tree gives exactly the reference functions' roots and proofs
    /// for every size, index and old size up to 70 leaves.
    #[test]
    fn the_levelled_tree_agrees_with_the_reference_everywhere() {
        let leaves: Vec<Sha256> = (0u32..70).map(|n| leaf_hash(&n.to_be_bytes())).collect();
        let tree = MerkleTree::new(leaves.clone());
        for size in 0..=leaves.len() {
            assert_eq!(
                tree.root(size),
                Some(root(&leaves[..size])),
                "root of {size}"
            );
            for index in 0..size {
                assert_eq!(
                    tree.inclusion_proof(index, size),
                    inclusion_proof(index, &leaves[..size]),
                    "path {index} of {size}"
                );
            }
            for old in 1..=size {
                assert_eq!(
                    tree.consistency_proof(old, size),
                    consistency_proof(old, &leaves[..size]),
                    "{old} to {size}"
                );
            }
        }
        assert_eq!(tree.root(71), None);
        assert_eq!(tree.inclusion_proof(5, 5), None);
    }
}
