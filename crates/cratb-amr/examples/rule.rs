//! Prints the breakpoint rows that apply to an organism × antimicrobial: `rule ORGANISM AB`.
use cratb_amr::interpret::{Options, select};
use cratb_amr::reference::{Method, Reference};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reference = Reference::get();
    let mo = reference.organism(&args[1]).expect("organism");
    let ab = reference.antimicrobial(&args[2]).expect("antimicrobial");
    let o = reference.organism_named(mo);
    println!("{} {} lineage {:?}", o.code, o.name, o.lineage);
    for method in [Method::Mic, Method::Disk] {
        for uti in [false, true] {
            println!(
                "{method:?} uti={uti}: {:?}",
                select(reference, mo, ab, method, Options::default().guideline, uti)
            );
        }
    }
}
