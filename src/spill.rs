//! A holding area for rendered output: takes each file's report fragment, in path order, and
//! hands them back in the same order later. The cross-document pass needs it: a file's
//! report is complete only once every file has been checked, but keeping every report in
//! memory would make memory grow with the corpus (JSON output is about 2.7 KB per file), so
//! the fragments wait in an unnamed temporary file (the system deletes it when it is closed),
//! each after its length: nothing per fragment stays in memory. Where no temporary file can
//! be made, they wait in memory instead. [`Shelf`] keeps records the same way but hands back
//! any one of them, by the place [`Shelf::put`] gave it.

use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

trait Store: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> Store for T {}

/// An unnamed temporary file, or memory where none can be made.
fn store() -> BufWriter<Box<dyn Store>> {
    let store: Box<dyn Store> = match tempfile::tempfile() {
        Ok(file) => Box::new(file),
        Err(_) => Box::new(io::Cursor::new(Vec::new())),
    };
    BufWriter::with_capacity(1 << 16, store)
}

/// Fragments written in order, then read back in the same order.
pub struct Spill {
    store: BufWriter<Box<dyn Store>>,
    count: usize,
}

impl Spill {
    pub fn new() -> Spill {
        Spill {
            store: store(),
            count: 0,
        }
    }

    /// Keeps the next fragment.
    pub fn push(&mut self, fragment: &[u8]) -> io::Result<()> {
        self.count += 1;
        self.store
            .write_all(&(fragment.len() as u64).to_le_bytes())?;
        self.store.write_all(fragment)
    }

    /// The fragments in the order they were pushed.
    pub fn replay(self) -> io::Result<Replay> {
        let mut store = self.store.into_inner().map_err(|e| e.into_error())?;
        store.seek(SeekFrom::Start(0))?;
        Ok(Replay {
            store: BufReader::with_capacity(1 << 16, store),
            left: self.count,
            buffer: Vec::new(),
        })
    }
}

/// Records kept on disk and read back in any order.
pub struct Shelf {
    store: BufWriter<Box<dyn Store>>,
    end: u64,
    /// Set once the first record is read back: nothing more may be put then.
    reading: bool,
}

/// Where a record is on a [`Shelf`].
#[derive(Debug, Clone, Copy)]
pub struct Place {
    at: u64,
    len: u64,
}

impl Shelf {
    pub fn new() -> Shelf {
        Shelf {
            store: store(),
            end: 0,
            reading: false,
        }
    }

    /// Keeps a record; returns where it is.
    pub fn put(&mut self, record: &[u8]) -> io::Result<Place> {
        if self.reading {
            return Err(io::Error::other("a record was kept after reading began"));
        }
        self.store.write_all(record)?;
        let place = Place {
            at: self.end,
            len: record.len() as u64,
        };
        self.end += place.len;
        Ok(place)
    }

    /// The record at `place`.
    pub fn get(&mut self, place: Place) -> io::Result<Vec<u8>> {
        if !self.reading {
            self.store.flush()?;
            self.reading = true;
        }
        let store = self.store.get_mut();
        store.seek(SeekFrom::Start(place.at))?;
        let mut record = Vec::new();
        store.take(place.len).read_to_end(&mut record)?;
        if record.len() as u64 == place.len {
            Ok(record)
        } else {
            Err(io::ErrorKind::UnexpectedEof.into())
        }
    }
}

/// Reads the kept fragments back, one at a time.
pub struct Replay {
    store: BufReader<Box<dyn Store>>,
    left: usize,
    buffer: Vec<u8>,
}

impl Replay {
    /// The next fragment, or `None` after the last.
    pub fn next_fragment(&mut self) -> Option<io::Result<&[u8]>> {
        self.left = self.left.checked_sub(1)?;
        Some(self.read_next().map(|()| &self.buffer[..]))
    }

    fn read_next(&mut self) -> io::Result<()> {
        let mut length = [0u8; 8];
        self.store.read_exact(&mut length)?;
        let length = usize::try_from(u64::from_le_bytes(length))
            .map_err(|_| io::Error::other("a held-back fragment has an impossible length"))?;
        self.buffer.clear();
        // `take` rather than sizing the buffer first: a corrupt length fails the read instead
        // of allocating that much.
        (&mut self.store)
            .take(length as u64)
            .read_to_end(&mut self.buffer)?;
        if self.buffer.len() == length {
            Ok(())
        } else {
            Err(io::ErrorKind::UnexpectedEof.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shelf_hands_back_any_record() {
        let mut shelf = Shelf::new();
        let a = shelf.put(b"first").unwrap();
        let b = shelf.put(b"").unwrap();
        let c = shelf.put(&[7u8; 70_000]).unwrap();
        assert_eq!(shelf.get(c).unwrap(), vec![7u8; 70_000]);
        assert_eq!(shelf.get(a).unwrap(), b"first");
        assert_eq!(shelf.get(b).unwrap(), b"");
        assert!(shelf.put(b"late").is_err());
    }

    #[test]
    fn fragments_come_back_in_order_including_empty_ones() {
        let mut spill = Spill::new();
        let fragments: [&[u8]; 4] = [b"first", b"", b"third\n", &[0u8; 100_000]];
        for f in fragments {
            spill.push(f).unwrap();
        }
        let mut replay = spill.replay().unwrap();
        for f in fragments {
            assert_eq!(replay.next_fragment().unwrap().unwrap(), f);
        }
        assert!(replay.next_fragment().is_none());
    }
}
